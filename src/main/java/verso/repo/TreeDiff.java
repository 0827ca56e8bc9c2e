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
        diff(path, a, b, 1, out);
    }

    /** {@code depth}: how many levels below a tracked path the entries lie (1 for a tracked path). */
    private void diff(String path, TreeEntry a, TreeEntry b, int depth, Sink out) throws IOException {
        if (a == null && b == null) {
            return;
        }
        if (a != null && b != null && a.sameContent(b)) {
            return;
        }
        boolean aDir = a != null && a.type() == EntryType.DIR;
        boolean bDir = b != null && b.type() == EntryType.DIR;
        if (aDir && bDir) {
            List<TreeEntry> ea = tree(a, depth).entries();
            List<TreeEntry> eb = tree(b, depth).entries();
            int i = 0;
            int j = 0;
            while (i < ea.size() || j < eb.size()) {
                int c = i >= ea.size() ? 1 : j >= eb.size() ? -1 : Names.compare(ea.get(i).name(), eb.get(j).name());
                if (c < 0) {
                    diff(path + "/" + ea.get(i).name(), ea.get(i++), null, depth + 1, out);
                } else if (c > 0) {
                    diff(path + "/" + eb.get(j).name(), null, eb.get(j++), depth + 1, out);
                } else {
                    diff(path + "/" + ea.get(i).name(), ea.get(i++), eb.get(j++), depth + 1, out);
                }
            }
            return;
        }
        if (a != null && b != null && !aDir && !bDir) {
            out.accept(new Change(path, a, b));
            return;
        }
        if (a != null) {
            removeAll(path, a, depth, out);
        }
        if (b != null) {
            addAll(path, b, depth, out);
        }
    }

    private void removeAll(String path, TreeEntry e, int depth, Sink out) throws IOException {
        if (e.type() == EntryType.DIR) {
            for (TreeEntry c : tree(e, depth).entries()) {
                removeAll(path + "/" + c.name(), c, depth + 1, out);
            }
        }
        out.accept(new Change(path, e, null));
    }

    private void addAll(String path, TreeEntry e, int depth, Sink out) throws IOException {
        out.accept(new Change(path, null, e));
        if (e.type() == EntryType.DIR) {
            for (TreeEntry c : tree(e, depth).entries()) {
                addAll(path + "/" + c.name(), c, depth + 1, out);
            }
        }
    }

    private Tree tree(TreeEntry dir, int depth) throws IOException {
        Tree.checkDepth(dir.id(), depth);
        return trees.tree(dir.id());
    }
}
