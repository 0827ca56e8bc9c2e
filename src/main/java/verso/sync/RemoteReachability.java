package verso.sync;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import verso.remote.RemoteNotFoundException;
import verso.repo.VersionLog;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.EntryType;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * The objects reachable from versions on a remote, for {@code gc --cloud} and {@code verify --remote}.
 *
 * <p>Design: breadth-first, one level of the trees at a time, each level's trees and block indexes read
 * in parallel: from the local cache when it has them (verified on read, and no request made), else
 * from the remote, checked against their id before they are decoded. Objects that cannot be read or
 * fail their hash are problems, never followed. Optionally, every reached object is checked against a
 * listing of the remote's {@code objects/} (missing) and data objects are downloaded and re-hashed,
 * streamed, so a large blob never sits in memory.
 */
final class RemoteReachability {
    /**
     * An entry reached, with how it was reached: {@code label} alone for a version's path, the parent's
     * path and the entry's name for a tree's child, {@code label} before the parent's path for a block.
     * The path is built only when a problem is reported.
     */
    private record Item(TreeEntry entry, Item parent, String label) {
        String where() {
            if (parent == null) {
                return label;
            }
            return label == null ? parent.where() + "/" + entry.name() : label + parent.where();
        }
    }

    private final RemoteVersions remote;
    private final RemotePacks packs;
    private final ObjectStore local;
    private final Transfers transfers;
    /** Every object reached (or only trees and block indexes, see {@link #leaves}): a compact set. */
    private final Set<ObjectId> reachable = Collections.synchronizedSet(new ObjectIdSet());
    /** If set, told each file blob and block reached (maybe more than once), which are then not kept. */
    private final Consumer<ObjectId> leaves;
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    /**
     * {@code packs}: where the versions' packed objects are; {@code local}: the cache to read trees from
     * first, or null to read everything from the remote.
     */
    RemoteReachability(RemoteVersions remote, RemotePacks packs, ObjectStore local, Transfers transfers) {
        this(remote, packs, local, transfers, null);
    }

    /**
     * As above; {@code leaves} (thread-safe, may be null) is told each blob and block reached instead of
     * their being kept in {@link #reachable}, which then holds only trees and block indexes: what a walk
     * must remember not to descend twice. For a caller that needs only some of the leaves (gc --cloud:
     * the loose ones), so that a million packed files are not held.
     */
    RemoteReachability(RemoteVersions remote, RemotePacks packs, ObjectStore local, Transfers transfers,
                       Consumer<ObjectId> leaves) {
        this.remote = remote;
        this.packs = packs;
        this.local = local;
        this.transfers = transfers;
        this.leaves = leaves;
    }

    Set<ObjectId> reachable() {
        return reachable;
    }

    List<String> problems() {
        return problems;
    }

    /**
     * Walks the versions. {@code present} (may be null): which objects the remote has, by a listing;
     * {@code hashData}: download and re-hash every blob and block reached.
     */
    void walk(Collection<VersionLog.Entry> versions, Predicate<ObjectId> present, boolean hashData) throws IOException {
        List<Item> level = new ArrayList<>();
        for (VersionLog.Entry v : versions) {
            for (TreeEntry e : v.version().paths()) {
                level.add(new Item(e, null, "version " + v.id().shortHex() + ": " + e.name()));
            }
        }
        // Only what is read next level (trees, block indexes) is held; files are counted as reached.
        List<Item> data = hashData ? Collections.synchronizedList(new ArrayList<>()) : null;
        for (int depth = 1; !level.isEmpty(); depth++) {
            List<Item> structured = new ArrayList<>();
            for (Item it : level) {
                visit(it, depth, present, structured, data);
            }
            List<Item> next = Collections.synchronizedList(new ArrayList<>());
            int childDepth = depth + 1;
            transfers.run(structured, it -> expand(it, childDepth, present, next, data));
            level = next;
        }
        if (hashData) {
            Map<ObjectId, Item> where = new HashMap<>();
            for (Item it : data) {
                where.putIfAbsent(it.entry().id(), it);
            }
            rehash(where.keySet(), (id, problem) -> problems.add(problem + " (" + where.get(id).where() + ")"));
        }
    }

    /**
     * Marks an entry reached: a tree or block index goes to {@code structured} (null: the entry is a
     * plain file), a file's data to {@code data} (null: not kept).
     */
    private void visit(Item it, int depth, Predicate<ObjectId> present, List<Item> structured, List<Item> data) {
        TreeEntry e = it.entry();
        if (e.type() == EntryType.SYMLINK) {
            return;
        }
        if (leaves != null && e.type() == EntryType.FILE && !e.chunked()) {
            leaves.accept(e.id());
        } else if (!reachable.add(e.id())) {
            return;
        }
        if (present != null && !present.test(e.id())) {
            problems.add("missing object " + e.id().hex() + " (" + it.where() + ")");
        } else if (e.type() == EntryType.DIR && depth > Tree.MAX_DEPTH) {
            problems.add("corrupt object " + e.id().hex() + ": trees nested deeper than " + Tree.MAX_DEPTH
                    + " levels (" + it.where() + ")");
        } else if (e.type() == EntryType.DIR || e.chunked()) {
            structured.add(it);
        } else if (data != null) {
            data.add(it);
        }
    }

    private void expand(Item it, int depth, Predicate<ObjectId> present, List<Item> next, List<Item> data)
            throws IOException {
        TreeEntry e = it.entry();
        try {
            if (e.type() == EntryType.DIR) {
                for (TreeEntry c : tree(e.id()).entries()) {
                    Item child = new Item(c, it, null);
                    if (c.type() == EntryType.DIR || c.chunked()) {
                        next.add(child);
                    } else {
                        visit(child, depth, present, null, data);
                    }
                }
            } else {
                for (ObjectId b : BlockIndex.decode(e.id(), read(e.id())).blocks()) {
                    if (leaves != null) {
                        leaves.accept(b);
                    }
                    if (leaves != null || !reachable.add(b)) {
                        continue;
                    }
                    if (present != null && !present.test(b)) {
                        problems.add("missing object " + b.hex() + " (a block of " + it.where() + ")");
                    } else if (data != null) {
                        data.add(new Item(TreeEntry.file("block", 0, false, b, false), it, "a block of "));
                    }
                }
            }
        } catch (RemoteNotFoundException nf) {
            problems.add("missing object " + e.id().hex() + " (" + it.where() + ")");
        } catch (CorruptObjectException c) {
            problems.add(c.getMessage() + " (" + it.where() + ")");
        }
    }

    /**
     * A tree, checked against its id: from the cache if it has it, else the remote; decoded as it
     * streams in, so that the tree of a folder of a million files is never held as bytes beside it.
     */
    private Tree tree(ObjectId id) throws IOException {
        if (local != null && local.contains(id)) {
            return Tree.read(local, id);
        }
        try (InputStream in = packs.open(id)) {
            return Hashing.decodeVerified(id, in, s -> Tree.decode(id, s), "on remote " + remote.name() + ", content");
        }
    }

    /** A block index's bytes, checked against its id: from the cache if it has it, else the remote. */
    private byte[] read(ObjectId id) throws IOException {
        if (local != null && local.contains(id)) {
            return local.read(id);
        }
        byte[] bytes;
        try (InputStream in = packs.open(id)) {
            bytes = in.readAllBytes();
        }
        if (!Hashing.hash(bytes).equals(id)) {
            throw new CorruptObjectException(id, "on remote " + remote.name() + ", content does not match its id");
        }
        return bytes;
    }

    /**
     * Downloads and re-hashes remote objects, streamed, packed neighbours with one GET; tells
     * {@code problem} of each one missing or not matching its id.
     */
    void rehash(Collection<ObjectId> ids, BiConsumer<ObjectId, String> problem) throws IOException {
        transfers.run(packs.runs(ids), run -> {
            try (InputStream in = remote.remote().get(run.key(), run.offset(), run.length())) {
                long at = 0;
                for (int i = 0; i < run.ids().size(); i++) {
                    ObjectId id = run.ids().get(i);
                    in.skipNBytes(run.offsets().get(i) - at);
                    long size = run.sizes().get(i);
                    MessageDigest md = Hashing.sha256();
                    byte[] buf = new byte[1 << 16];
                    long left = size < 0 ? Long.MAX_VALUE : size;
                    int n;
                    while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                        md.update(buf, 0, n);
                        left -= n;
                    }
                    at = run.offsets().get(i) + (size < 0 ? 0 : size);
                    ObjectId actual = ObjectId.fromBytes(md.digest());
                    if (size >= 0 && left > 0) {
                        problem.accept(id, "corrupt object " + id.hex() + ": its pack ends inside it");
                    } else if (!actual.equals(id)) {
                        problem.accept(id, "corrupt object " + id.hex() + ": content hashes to " + actual.shortHex());
                    }
                }
            } catch (RemoteNotFoundException e) {
                for (ObjectId id : run.ids()) {
                    problem.accept(id, "missing object " + id.hex());
                }
            }
        });
    }
}
