package verso.repo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verso.store.BlockIndex;
import verso.store.EntryType;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * Decoded trees and block indexes by id: first from snapshots not (yet) in the store, then from the
 * store, then, if a fetcher is given, fetched into the store. Every tree is verified and validated
 * on decode, so a malicious name is refused here, before anything follows it. Keeps a memo of
 * decoded trees, because diffs and lookups revisit the same ones, bounded by the entries it holds
 * (a count of trees would not bound memory: one tree may list a million files).
 */
public final class TreeSource {
    /** Entries the memo may hold in all (about 6 MiB), whatever the number of trees they fill. */
    private static final int MEMO_ENTRIES = 100_000;

    private final ObjectStore store;
    private final ObjectFetcher fetcher;
    private final Map<ObjectId, Tree> overlay = new HashMap<>();
    private final Map<ObjectId, Tree> memo = new LinkedHashMap<>(256, 0.75f, true);
    private long memoEntries;

    public TreeSource(ObjectStore store, ObjectFetcher fetcher) {
        this.store = store;
        this.fetcher = fetcher;
    }

    /** Makes the trees of a hashing scan readable. */
    TreeSource with(Snapshot s) {
        overlay.putAll(s.trees());
        return this;
    }

    private void fetchIfMissing(ObjectId id) throws IOException {
        if (fetcher != null && !store.contains(id)) {
            fetcher.fetch(List.of(id));
        }
    }

    public Tree tree(ObjectId id) throws IOException {
        Tree t = overlay.get(id);
        if (t == null) {
            t = memo.get(id);
        }
        if (t == null) {
            fetchIfMissing(id);
            t = Tree.read(store, id);
            remember(id, t);
        }
        return t;
    }

    /** Keeps {@code t}, dropping the least recently used trees while the memo holds too many entries. */
    private void remember(ObjectId id, Tree t) {
        int n = t.entries().size();
        if (n > MEMO_ENTRIES) {
            return;
        }
        memo.put(id, t);
        memoEntries += n;
        var it = memo.values().iterator();
        while (memoEntries > MEMO_ENTRIES && it.hasNext()) {
            memoEntries -= it.next().entries().size();
            it.remove();
        }
    }

    public BlockIndex blocks(ObjectId id) throws IOException {
        fetchIfMissing(id);
        return BlockIndex.decode(id, store.read(id));
    }

    /**
     * The entry at project-relative {@code path} inside {@code top} (whose name is a tracked path),
     * or null if there is none. Missing objects count as absent.
     */
    public TreeEntry lookup(TreeEntry top, String path) throws IOException {
        if (top == null) {
            return null;
        }
        if (path.equals(top.name())) {
            return top;
        }
        if (!path.startsWith(top.name() + "/")) {
            return null;
        }
        TreeEntry cur = top;
        for (String seg : path.substring(top.name().length() + 1).split("/")) {
            if (cur.type() != EntryType.DIR) {
                return null;
            }
            try {
                cur = tree(cur.id()).find(seg);
            } catch (MissingObjectException e) {
                return null;
            }
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /** Every object a file entry needs: its blob, or its block index and blocks. */
    public List<ObjectId> fileObjects(TreeEntry file) throws IOException {
        List<ObjectId> out = new ArrayList<>();
        out.add(file.id());
        if (file.chunked()) {
            out.addAll(blocks(file.id()).blocks());
        }
        return out;
    }
}
