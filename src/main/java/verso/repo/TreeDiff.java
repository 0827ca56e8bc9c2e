package verso.repo;

import java.io.IOException;
import java.util.List;
import verso.store.EntryType;
import verso.store.Names;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * Differences between two entries, as a stream of {@link Change}s with project-relative paths.
 *
 * <p>Design: a merge walk over sorted trees that skips every pair of subtrees with equal ids, so
 * comparing two versions costs in proportion to what differs. A type change at one path is a
 * removal followed by an addition; everything below a removed directory is removed (leaves first,
 * then the directory), everything below an added directory is added (the directory first). This
 * order is safe to apply to a workspace as is.
 */
final class TreeDiff {
    interface Sink {
        void accept(Change c) throws IOException;
    }

    private final TreeSource trees;

    TreeDiff(TreeSource trees) {
        this.trees = trees;
    }

    void diff(String path, TreeEntry a, TreeEntry b, Sink out) throws IOException {
        if (a == null && b == null) {
            return;
        }
        if (a != null && b != null && a.sameContent(b)) {
            return;
        }
        boolean aDir = a != null && a.type() == EntryType.DIR;
        boolean bDir = b != null && b.type() == EntryType.DIR;
        if (aDir && bDir) {
            List<TreeEntry> ea = trees.tree(a.id()).entries();
            List<TreeEntry> eb = trees.tree(b.id()).entries();
            int i = 0;
            int j = 0;
            while (i < ea.size() || j < eb.size()) {
                int c = i >= ea.size() ? 1 : j >= eb.size() ? -1 : Names.compare(ea.get(i).name(), eb.get(j).name());
                if (c < 0) {
                    diff(path + "/" + ea.get(i).name(), ea.get(i++), null, out);
                } else if (c > 0) {
                    diff(path + "/" + eb.get(j).name(), null, eb.get(j++), out);
                } else {
                    diff(path + "/" + ea.get(i).name(), ea.get(i++), eb.get(j++), out);
                }
            }
            return;
        }
        if (a != null && b != null && !aDir && !bDir) {
            out.accept(new Change(path, a, b));
            return;
        }
        if (a != null) {
            removeAll(path, a, out);
        }
        if (b != null) {
            addAll(path, b, out);
        }
    }

    private void removeAll(String path, TreeEntry e, Sink out) throws IOException {
        if (e.type() == EntryType.DIR) {
            Tree t = trees.tree(e.id());
            for (TreeEntry c : t.entries()) {
                removeAll(path + "/" + c.name(), c, out);
            }
        }
        out.accept(new Change(path, e, null));
    }

    private void addAll(String path, TreeEntry e, Sink out) throws IOException {
        out.accept(new Change(path, null, e));
        if (e.type() == EntryType.DIR) {
            for (TreeEntry c : trees.tree(e.id()).entries()) {
                addAll(path + "/" + c.name(), c, out);
            }
        }
    }
}
