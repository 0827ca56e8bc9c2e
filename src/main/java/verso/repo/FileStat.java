package verso.repo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.TimeUnit;

/**
 * What a scan needs of a workspace entry's {@code lstat()}: its kind, and for a file the size,
 * modification time (ns), file key (a 32-bit hash of device and inode, as {@code fileKey().hashCode()}
 * gives it on Linux) and owner-executable bit that {@link WorkspaceIndex} compares.
 */
public record FileStat(Kind kind, long size, long mtimeNanos, int key, boolean executable) {
    /** The kinds of entry a scan tells apart. */
    public enum Kind { FILE, DIRECTORY, SYMLINK, OTHER }

    /** The entry at {@code path}, not following a symlink, read through the JDK. */
    public static FileStat lstat(Path path) throws IOException {
        return of(Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    /** Of attributes read through the JDK. */
    public static FileStat of(PosixFileAttributes a) {
        Kind kind = a.isRegularFile() ? Kind.FILE : a.isDirectory() ? Kind.DIRECTORY
                : a.isSymbolicLink() ? Kind.SYMLINK : Kind.OTHER;
        Object k = a.fileKey();
        return new FileStat(kind, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), k == null ? 0 : k.hashCode(),
                a.permissions().contains(PosixFilePermission.OWNER_EXECUTE));
    }
}
