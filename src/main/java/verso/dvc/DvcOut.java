package verso.dvc;

import java.util.Objects;

/**
 * One output DVC tracks at a commit: a file, or a directory whose content a {@code .dir} manifest lists.
 *
 * @param path   the project-relative path (segments joined by {@code /})
 * @param md5    the 32 hex digits of DVC's hash, without the {@code .dir} suffix
 * @param dir    true if {@code md5} names a directory manifest
 * @param size   the size DVC recorded (all files, for a directory), or -1 if it did not
 * @param nfiles the number of files DVC recorded for a directory (1 for a file), or -1
 * @param legacy true for DVC 2 hashes (no {@code hash: md5}): text files were hashed with CRLF turned to LF
 * @param executable true if DVC recorded {@code isexec: true}
 * @param source the {@code .dvc} or {@code dvc.lock} file that declares it
 */
public record DvcOut(String path, String md5, boolean dir, long size, long nfiles, boolean legacy, boolean executable,
                     String source) {
    public DvcOut {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(md5, "md5");
        Objects.requireNonNull(source, "source");
    }

    /** The name DVC stores the object under: the md5, with {@code .dir} for a directory. */
    public String objectName() {
        return dir ? md5 + ".dir" : md5;
    }
}
