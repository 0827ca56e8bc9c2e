package verso.repo;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;
import verso.store.EntryType;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * The objects an entry needs: trees, blobs, block indexes and blocks. Adds them to a set, and does
 * not descend into an object already in it, so walking many versions that share subtrees costs
 * only what differs. Objects that cannot be read are reported as missing (and not descended into);
 * corrupt structured objects throw.
 */
public final class Reachability {
    private final TreeSource trees;

    public Reachability(TreeSource trees) {
        this.trees = trees;
    }

    public void walk(TreeEntry e, Set<ObjectId> out, Consumer<ObjectId> missing) throws IOException {
        walk(e, out, id -> { }, missing);
    }

    /** As {@link #walk(TreeEntry, Set, Consumer)}, also telling {@code added} each id newly put in {@code out}. */
    public void walk(TreeEntry e, Set<ObjectId> out, Consumer<ObjectId> added, Consumer<ObjectId> missing)
            throws IOException {
        walk(e, 1, out, added, missing);
    }

    private void walk(TreeEntry e, int depth, Set<ObjectId> out, Consumer<ObjectId> added,
                      Consumer<ObjectId> missing) throws IOException {
        if (e.type() == EntryType.SYMLINK || !out.add(e.id())) {
            return;
        }
        added.accept(e.id());
        try {
            if (e.type() == EntryType.DIR) {
                Tree.checkDepth(e.id(), depth);
                for (TreeEntry c : trees.tree(e.id()).entries()) {
                    walk(c, depth + 1, out, added, missing);
                }
            } else if (e.chunked()) {
                for (ObjectId b : trees.blocks(e.id()).blocks()) {
                    if (out.add(b)) {
                        added.accept(b);
                    }
                }
            }
        } catch (MissingObjectException m) {
            missing.accept(m.id());
        }
    }
}
