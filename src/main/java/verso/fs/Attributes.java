package verso.fs;

import java.time.Instant;
import verso.store.EntryType;
import verso.store.TreeEntry;

/**
 * What getattr reports for one node: its type, size in bytes, permission bits (0444 or 0555 for
 * files, 0555 for directories, 0777 for symlinks), link count and time (used as mtime, ctime and
 * atime). Owner and group are the mounting user's and are filled in by the binding. For a file of a
 * version, {@code file} is its entry, which names its content for ever: a binding that keeps it may
 * read the file by it ({@link VersoFileSystem#read(TreeEntry, long, int, verso.read.ContentSource.Ranges)}) without
 * resolving a path again; null for anything else.
 */
public record Attributes(EntryType type, long size, int permissions, long links, Instant time, TreeEntry file) {
    public static final int READ_ONLY = 0444;
    public static final int READ_EXECUTE = 0555;
    public static final int SYMLINK = 0777;

    static Attributes dir(long links, Instant time) {
        return new Attributes(EntryType.DIR, 0, READ_EXECUTE, links, time, null);
    }

    static Attributes symlink(String target, Instant time) {
        return new Attributes(EntryType.SYMLINK,
                target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, SYMLINK, 1, time, null);
    }
}
