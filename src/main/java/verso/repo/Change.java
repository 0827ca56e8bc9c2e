package verso.repo;

import verso.store.EntryType;
import verso.store.TreeEntry;

/**
 * One difference at a project-relative path: an addition ({@code before == null}), a removal
 * ({@code after == null}) or a modification of a file or symlink (both set).
 */
public record Change(String path, TreeEntry before, TreeEntry after) {
    /** True for files and symlinks; false for the directory entries that bracket added or removed subtrees. */
    public boolean isLeaf() {
        TreeEntry e = after != null ? after : before;
        return e.type() != EntryType.DIR;
    }

    /** {@code A}, {@code D} or {@code M}, as in {@code git diff --name-status}. */
    public char code() {
        return before == null ? 'A' : after == null ? 'D' : 'M';
    }
}
