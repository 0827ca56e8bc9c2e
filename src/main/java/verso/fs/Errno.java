package verso.fs;

/**
 * The errors the filesystem reports, with their Linux numbers. The FUSE binding maps each constant
 * to its platform's code in one exhaustive switch.
 */
public enum Errno {
    ENOENT(2),
    EIO(5),
    EBADF(9),
    EACCES(13),
    ENOTDIR(20),
    EISDIR(21),
    EINVAL(22),
    EROFS(30),
    ENAMETOOLONG(36);

    private final int linux;

    Errno(int linux) {
        this.linux = linux;
    }

    /** The errno value on Linux. */
    public int linux() {
        return linux;
    }
}
