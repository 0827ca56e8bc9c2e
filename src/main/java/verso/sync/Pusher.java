package verso.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import verso.repo.ProgressListener;
import verso.repo.Reachability;
import verso.repo.RepoException;
import verso.repo.TreeSource;
import verso.repo.VersionLog;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.LongList;
import verso.store.ObjectId;
import verso.store.ObjectIdList;
import verso.store.ObjectIdSet;
import verso.store.ObjectStore;
import verso.store.PackIndex;
import verso.store.TreeEntry;
import verso.store.VersionOrder;
import verso.store.VersionPacks;

/**
 * {@code push}: copies versions, their objects and their tags to a remote.
 *
 * <p>Design: what the remote has is learned from one listing of its {@code versions/}: a version there
 * implies all its objects are there, because a push writes every object before the version (the
 * version is the commit point). The objects to upload are those reachable from the versions to push,
 * minus those reachable from versions already on the remote that this clone knows (walked in local
 * trees; shared subtrees are skipped whole), so no request is made per object to ask whether it
 * exists. Objects go up in parallel; then the version records, oldest first; then the tags that name
 * pushed versions. Every put is idempotent, so an interrupted push re-run completes (re-sending what
 * the remote cannot yet be known to have). A push with nothing new is one listing.
 */
public final class Pusher {
    /**
     * What a push will send: {@code versions} (oldest first), {@code objects} (each once, in tree order)
     * with their stored {@code sizes} (in the same order) and total {@code bytes}, and {@code present},
     * the requested versions the remote already has.
     */
    public record Plan(List<VersionLog.Entry> versions, List<ObjectId> objects, List<Long> sizes, long bytes,
                       List<ObjectId> present, Map<String, ObjectId> tags, List<ObjectId> onRemote) {
        public boolean isEmpty() {
            return versions.isEmpty() && objects.isEmpty() && tags.isEmpty();
        }
    }

    /** What a push sent. */
    public record Result(int versions, int objects, long bytes, int tags, int alreadyThere) {
    }

    private final ObjectStore store;
    private final VersionLog versions;
    private final RemoteVersions remote;
    /** Packs uploaded at once while the next fills (each is itself uploaded in parallel parts). */
    private static final int PACK_UPLOADS = 2;

    private final ProgressListener progress;
    private final boolean packs;

    public Pusher(ObjectStore store, VersionLog versions, RemoteVersions remote, ProgressListener progress) {
        this(store, versions, remote, progress, true);
    }

    /** {@code packs} false: every object is uploaded loose, as verso did before packs (for tests of such remotes). */
    Pusher(ObjectStore store, VersionLog versions, RemoteVersions remote, ProgressListener progress, boolean packs) {
        this.store = store;
        this.versions = versions;
        this.remote = remote;
        this.progress = progress;
        this.packs = packs;
    }

    /** Works out what to send for {@code requested} (null: every local version). Reads no object remotely. */
    Plan plan(Collection<ObjectId> requested) throws IOException {
        List<ObjectId> wanted = requested == null ? versions.ids() : List.copyOf(new HashSet<>(requested));
        Set<ObjectId> onRemote = remote.ids();
        List<VersionLog.Entry> toPush = new ArrayList<>();
        List<ObjectId> present = new ArrayList<>();
        for (ObjectId id : wanted) {
            if (onRemote.contains(id)) {
                present.add(id);
            } else {
                toPush.add(new VersionLog.Entry(id, versions.read(id)));
            }
        }
        VersionOrder.sort(toPush, VersionLog.Entry::id, VersionLog.Entry::version);
        List<ObjectId> objects = new ObjectIdList();
        List<Long> sizes = new LongList();
        long bytes = 0;
        if (!toPush.isEmpty()) {
            try (StoredSizes stats = new StoredSizes(store)) {
                bytes = walk(toPush, onRemote, objects, sizes, stats);
            }
        }
        return new Plan(toPush, objects, sizes, bytes, present, tagsToPush(wanted), List.copyOf(onRemote));
    }

    /**
     * Lists in {@code objects} the objects of {@code toPush} not reachable from the versions of
     * {@code onRemote} this clone knows, each once, in tree order, and their stored sizes in
     * {@code sizes}; returns their total. Throws if the cache lacks any.
     */
    private long walk(List<VersionLog.Entry> toPush, Set<ObjectId> onRemote, List<ObjectId> objects, List<Long> sizes,
                      StoredSizes stats) throws IOException {
        long bytes = 0;
        Reachability reach = new Reachability(new TreeSource(store, null));
        Set<ObjectId> seen = new ObjectIdSet();
        for (ObjectId id : onRemote) {
            if (versions.contains(id)) {
                for (TreeEntry e : versions.read(id).paths()) {
                    // A tree of a pushed version may have been gc'd here: what is below it is on the remote.
                    reach.walk(e, seen, missing -> { });
                }
            }
        }
        for (VersionLog.Entry v : toPush) {
            // in tree order, so a folder's files sit together in a pack; each once, as seen holds them all
            int first = objects.size();
            Set<ObjectId> missing = new LinkedHashSet<>();
            // one stat an object, on other threads as the walk goes: its size, or -1 if the cache lacks it
            Consumer<ObjectId> added = id -> {
                objects.add(id);
                stats.add(id);
            };
            added.accept(v.id());
            for (TreeEntry e : v.version().paths()) {
                reach.walk(e, seen, added, missing::add);
            }
            int[] at = {first};
            long[] total = {bytes};
            stats.sizes(size -> {
                if (size < 0) {
                    missing.add(objects.get(at[0]));
                }
                at[0]++;
                sizes.add(size);
                total[0] += Math.max(0, size);
            });
            bytes = total[0];
            if (!missing.isEmpty()) {
                throw new RepoException("cannot push version " + v.id().shortHex() + " (" + v.version().time()
                        + "): " + missing.size() + " of its objects are not in the cache (first "
                        + missing.iterator().next().shortHex() + "); fetch them from a remote that has them, or push "
                        + "other versions by id");
            }
        }
        return bytes;
    }

    /** Plans and sends. */
    public Result run(Collection<ObjectId> requested) throws IOException {
        return send(plan(requested));
    }

    /**
     * Sends a plan under the remote's shared lock: objects (in parallel), then, once the lock is confirmed
     * still held, versions oldest first, then tags.
     */
    Result send(Plan plan) throws IOException {
        if (!plan.isEmpty()) {
            try (RemoteLock lock = RemoteLock.take(remote, false, "push");
                 Transfers transfers = new Transfers()) {
                List<SentPack> written = sendObjects(plan, transfers);
                sendPackLists(plan, written, transfers);
                lock.check();
                sendVersionsAndTags(plan);
            }
        }
        return new Result(plan.versions().size(), plan.objects().size(), plan.bytes(), plan.tags().size(),
                plan.present().size());
    }

    /**
     * Uploads the plan's objects: the large ones loose, the small ones laid into packs (each followed by
     * its index), all at once: packs are filled on one transfer thread (from objects read and verified in
     * parallel, see {@link OrderedReads}), each uploaded as soon as it is closed while the next fills.
     * Trees, block indexes and version objects go into packs of their own, so that listing a folder
     * tree reads them with a few GETs. Returns the packs written.
     */
    private List<SentPack> sendObjects(Plan plan, Transfers transfers) throws IOException {
        IntList smallAt = new IntList();
        List<Object> work = new ArrayList<>();
        Map<ObjectId, Long> looseSizes = new HashMap<>();
        for (int i = 0; i < plan.objects().size(); i++) {
            ObjectId id = plan.objects().get(i);
            long size = plan.sizes().get(i);
            if (packs && PackWriter.packs(size)) {
                smallAt.add(i);
            } else {
                work.add(id);
                looseSizes.put(id, size);
            }
        }
        List<SentPack> written = new ArrayList<>();
        // the small objects and their sizes, as positions in the plan's lists rather than second lists
        List<ObjectId> small = smallAt.view(plan.objects());
        List<Long> smallSizes = smallAt.view(plan.sizes());
        if (!small.isEmpty()) {
            work.add(0, small);
        }
        progress.start("Pushing to " + remote.name(), plan.bytes());
        try {
            transfers.run(work, w -> {
                if (w instanceof ObjectId id) {
                    putLoose(id, looseSizes.get(id));
                    progress.advance(looseSizes.get(id));
                } else {
                    written.addAll(packAndUpload(small, smallSizes));
                }
            });
        } finally {
            progress.done();
        }
        return written;
    }

    /** Uploads one object loose: its file, or its bytes if it is packed locally. */
    private void putLoose(ObjectId id, long size) throws IOException {
        Path file = store.pathOf(id);
        if (Files.isRegularFile(file)) {
            remote.remote().put(Layout.objectKey(id), file);
        } else {
            remote.remote().put(Layout.objectKey(id), store.read(id, size));
        }
    }

    /**
     * Lays {@code small} objects (whose stored sizes are {@code sizes}) into packs in their order, uploading
     * each pack (on its own threads) once it is closed.
     */
    private List<SentPack> packAndUpload(List<ObjectId> small, List<Long> sizes) throws IOException {
        try (PackWriter metadata = new PackWriter(store);
             PackWriter data = new PackWriter(store);
             OrderedReads reads = new OrderedReads(store);
             Transfers uploads = new Transfers(PACK_UPLOADS)) {
            List<Future<?>> pending = new ArrayList<>();
            List<SentPack> all = new ArrayList<>();
            // the pack, then its index; once both are up, only the decoded index is kept (the encoded
            // one is some MiB a pack)
            Consumer<PackWriter.Pack> upload = p -> {
                all.add(new SentPack(p.indexId(), p.index()));
                pending.add(uploads.submit(() -> {
                    remote.remote().put(Layout.packKey(p.id()), p.file());
                    remote.remote().put(Layout.packIndexKey(p.indexId()), p.indexBytes());
                    progress.advance(p.index().packSize());
                }));
            };
            reads.forEach(small, sizes, (id, bytes) -> {
                PackWriter.Pack closed = (PackIndex.isMetadata(bytes) ? metadata : data).add(id, bytes);
                if (closed != null) {
                    upload.accept(closed);
                }
            });
            metadata.finish().ifPresent(upload);
            data.finish().ifPresent(upload);
            Transfers.await(pending);
            return all;
        }
    }
    /**
     * Writes each pushed version's pack list: the new packs and the packs already on the remote that hold
     * any of its objects, so that a reader of the version loads only those indexes. Nothing is written
     * for a version with no packed object.
     */
    private void sendPackLists(Plan plan, List<SentPack> written, Transfers transfers) throws IOException {
        RemotePacks there = new RemotePacks(remote);
        there.load(plan.onRemote(), transfers);
        Map<ObjectId, PackIndex> candidates = new LinkedHashMap<>(there.indexes());
        for (SentPack p : written) {
            candidates.put(p.indexId(), p.index());
        }
        if (candidates.isEmpty()) {
            return;
        }
        Reachability reach = new Reachability(new TreeSource(store, null));
        List<ObjectId> ids = new ArrayList<>(candidates.keySet());
        List<PackIndex> indexes = new ArrayList<>(candidates.values());
        for (VersionLog.Entry v : plan.versions()) {
            IndexMarks marks = new IndexMarks(indexes);
            boolean[] partial = {false};
            for (TreeEntry e : v.version().paths()) {
                reach.walk(e, marks, missing -> partial[0] = true);
            }
            List<ObjectId> listed = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                // a tree gc'd here hides which objects lie below it: then every index is listed
                if (partial[0] || marks.marked(i)) {
                    listed.add(ids.get(i));
                }
            }
            if (!listed.isEmpty()) {
                remote.remote().put(Layout.versionPacksKey(v.id()), new VersionPacks(v.id(), listed).encode());
            }
        }
    }

    /**
     * The sink of a walk that marks each pack index holding an object the walk reaches, and remembers
     * nothing else: no set of the version's objects, which at a million files would take more heap than
     * the rest of the push. As it remembers nothing, every object "is new", so a subtree that occurs
     * twice in a version is walked twice (bounded by the version's size). Each object is looked up, by
     * binary search, in the indexes not marked yet.
     */
    private static final class IndexMarks extends AbstractSet<ObjectId> {
        private final List<PackIndex> indexes;
        private final boolean[] marked;
        private int left;

        IndexMarks(List<PackIndex> indexes) {
            this.indexes = indexes;
            this.marked = new boolean[indexes.size()];
            this.left = indexes.size();
        }

        @Override
        public boolean add(ObjectId id) {
            for (int i = 0; left > 0 && i < marked.length; i++) {
                if (!marked[i] && indexes.get(i).contains(id)) {
                    marked[i] = true;
                    left--;
                }
            }
            return true;
        }

        boolean marked(int i) {
            return marked[i];
        }

        @Override
        public Iterator<ObjectId> iterator() {
            throw new UnsupportedOperationException("a walk's sink only takes ids");
        }

        @Override
        public int size() {
            throw new UnsupportedOperationException("a walk's sink only takes ids");
        }
    }

    /** A pack uploaded with its index. */
    private record SentPack(ObjectId indexId, PackIndex index) {
    }

    /** Ints in an array that grows, and a view of a list's elements at them. */
    private static final class IntList {
        private int[] values = new int[64];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        <T> List<T> view(List<T> of) {
            return new ViewList<>(of, values, size);
        }
    }

    private static final class ViewList<T> extends AbstractList<T> implements RandomAccess {
        private final List<T> of;
        private final int[] at;
        private final int size;

        ViewList(List<T> of, int[] at, int size) {
            this.of = of;
            this.at = at;
            this.size = size;
        }

        @Override
        public T get(int i) {
            Objects.checkIndex(i, size);
            return of.get(at[i]);
        }

        @Override
        public int size() {
            return size;
        }
    }

    private void sendVersionsAndTags(Plan plan) throws IOException {
        for (VersionLog.Entry v : plan.versions()) {
            byte[] bytes = v.version().encode();
            if (!Hashing.hash(bytes).equals(v.id())) {
                throw new IllegalStateException("version " + v.id() + " does not re-encode to its id");
            }
            remote.remote().put(Layout.versionKey(v.id()), bytes);
        }
        for (Map.Entry<String, ObjectId> t : plan.tags().entrySet()) {
            remote.writeTag(t.getKey(), t.getValue());
        }
    }

    private Map<String, ObjectId> tagsToPush(List<ObjectId> wanted) throws IOException {
        Set<ObjectId> set = new HashSet<>(wanted);
        Map<String, ObjectId> local = new LinkedHashMap<>();
        versions.tags().forEach((n, id) -> {
            if (set.contains(id)) {
                local.put(n, id);
            }
        });
        Map<String, ObjectId> out = new LinkedHashMap<>();
        if (!local.isEmpty()) {
            Map<String, ObjectId> there = remote.tags();
            local.forEach((n, id) -> {
                if (!id.equals(there.get(n))) {
                    out.put(n, id);
                }
            });
        }
        return out;
    }
}
