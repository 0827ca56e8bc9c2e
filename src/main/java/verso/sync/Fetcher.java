package verso.sync;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import verso.remote.RemoteNotFoundException;
import verso.remote.RemoteRetryableException;
import verso.repo.ObjectFetcher;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.VersionLog;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.ObjectStore;
import verso.store.PackLocator;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * {@code fetch}: brings a remote's history and the objects of chosen versions into the local cache.
 *
 * <p>Design: the history first, since it is small: every remote version record the clone lacks is
 * fetched, checked against its id and written to {@code versions/}; remote tags the clone does not
 * have are added. Then the objects of the chosen entries, breadth-first: each level of trees the cache
 * lacks is downloaded in parallel before the next is decoded, then block indexes, then the data
 * (blobs and blocks), whose total is known by then and drives the progress bar. Every object is
 * streamed into {@link ObjectStore#insert(ObjectId, InputStream)}, which hashes it and publishes it only
 * if it matches, so a corrupt remote object never enters the cache; a stream that breaks, or whose
 * content does not match (changed on the way), is downloaded again whole a few times. The small objects
 * of a fetch go into local packs, as add's do (checked first too). Used by checkout as its
 * {@link ObjectFetcher}, it downloads exactly the ids asked, loose.
 */
public final class Fetcher implements ObjectFetcher, Closeable {
    /**
     * What a fetch brought: new version records and tags, objects and their bytes; {@code version} is
     * the version whose objects were fetched (null when the pointer files chose them).
     */
    public record Result(ObjectId version, int versions, int tags, int objects, long bytes) {
    }

    private final ObjectStore store;
    private final VersionLog versions;
    private final RemoteVersions remote;
    private final ProgressListener progress;
    private final Transfers transfers = new Transfers();
    private final RemotePacks packs;
    private boolean allPacksLoaded;
    private final AtomicInteger objects = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private int newVersions;
    private int newTags;

    public Fetcher(ObjectStore store, VersionLog versions, RemoteVersions remote, ProgressListener progress) {
        this.store = store;
        this.versions = versions;
        this.remote = remote;
        this.progress = progress;
        this.packs = new RemotePacks(remote);
    }

    /** The entries to fetch when no version is named, read only then. */
    public interface Entries {
        List<TreeEntry> get() throws IOException;
    }

    /**
     * Copies the remote's version records and new tags here, then the objects of {@code version} (an id,
     * short id or tag, resolved after the records are copied), or, if it is null, of {@code otherwise}
     * (such as {@link verso.repo.Repository#workspaceEntries}), that the cache lacks.
     */
    public Result fetch(String version, Entries otherwise) throws IOException {
        syncHistory();
        ObjectId id = version == null ? null : versions.resolve(version);
        if (id == null) {
            loadAllPacks();
        } else {
            packs.load(List.of(id), transfers);
        }
        Collection<TreeEntry> roots = id == null ? otherwise.get() : versions.read(id).paths();
        try (ObjectStore.Packing packing = store.packing()) {
            fetchEntries(roots);
        }
        return result(id);
    }

    /** Copies remote version records and tags that this clone lacks (tags it has are left as they are). */
    private void syncHistory() throws IOException {
        List<ObjectId> absent = new ArrayList<>();
        for (ObjectId id : remote.ids()) {
            if (!versions.contains(id)) {
                absent.add(id);
            }
        }
        transfers.run(absent, id -> versions.add(id, remote.fetchRecord(id)));
        newVersions += absent.size();
        TreeMap<String, ObjectId> local = versions.tags();
        for (Map.Entry<String, ObjectId> t : remote.tags().entrySet()) {
            if (!local.containsKey(t.getKey()) && versions.contains(t.getValue())) {
                versions.tag(t.getKey(), t.getValue());
                newTags++;
            }
        }
    }

    /**
     * Downloads every object the entries need that the cache lacks, breadth-first through trees. Memory
     * holds the tree ids of one level, a compact set of the ids seen, and one batch of objects to
     * download, not every file of the version.
     */
    private void fetchEntries(Collection<TreeEntry> roots) throws IOException {
        Set<ObjectId> seen = new ObjectIdSet();
        Batch batch = new Batch();
        progress.start("Fetching from " + remote.name(), -1);
        try {
            List<ObjectId> level = new ArrayList<>();
            for (TreeEntry e : roots) {
                visit(e, 1, level, seen, batch);
            }
            for (int depth = 2; !level.isEmpty(); depth++) {
                List<ObjectId> next = new ArrayList<>();
                for (int from = 0; from < level.size(); from += BATCH) {
                    List<ObjectId> trees = level.subList(from, Math.min(level.size(), from + BATCH));
                    downloadRequired(trees);
                    for (ObjectId d : trees) {
                        for (TreeEntry c : Tree.read(store, d).entries()) {
                            visit(c, depth, next, seen, batch);
                        }
                    }
                }
                level = next;
            }
            batch.flush();
        } finally {
            progress.done();
        }
    }

    /** Objects downloaded at once, at most. */
    private static final int BATCH = 10_000;

    private void visit(TreeEntry e, int depth, List<ObjectId> dirs, Set<ObjectId> seen, Batch batch)
            throws IOException {
        if (e.type() == EntryType.DIR && seen.add(e.id())) {
            Tree.checkDepth(e.id(), depth);
            dirs.add(e.id());
        } else if (e.type() == EntryType.FILE) {
            if (!e.chunked()) {
                batch.data(e.id(), e.size());
            } else if (seen.add(e.id())) {
                batch.index(e.id());
            }
        }
    }

    /** Blobs and block indexes waiting to be downloaded. */
    private final class Batch {
        private final List<ObjectId> indexes = new ArrayList<>();
        private final Map<ObjectId, Long> data = new LinkedHashMap<>();

        void data(ObjectId id, long size) throws IOException {
            if (!store.contains(id)) {
                data.putIfAbsent(id, size);
                if (data.size() >= BATCH) {
                    flush();
                }
            }
        }

        void index(ObjectId id) throws IOException {
            indexes.add(id);
            if (indexes.size() >= BATCH) {
                flush();
            }
        }

        void flush() throws IOException {
            downloadRequired(indexes);
            for (ObjectId i : indexes) {
                BlockIndex bi = BlockIndex.decode(i, store.read(i));
                for (int b = 0; b < bi.blocks().size(); b++) {
                    ObjectId block = bi.blocks().get(b);
                    // blobs were checked against the cache when visited; blocks are checked here, once
                    if (!data.containsKey(block) && !store.contains(block)) {
                        data.put(block, (long) bi.blockLength(b));
                    }
                }
            }
            indexes.clear();
            transfers.run(packs.runs(data.keySet()), run -> downloadRun(run, true, id -> progress.advance(data.get(id))));
            data.clear();
        }
    }

    /** The packs of every version on the remote, for when the objects asked for are not tied to one version. */
    private void loadAllPacks() throws IOException {
        if (!allPacksLoaded) {
            packs.load(remote.ids(), transfers);
            allPacksLoaded = true;
        }
    }

    private Result result(ObjectId version) {
        return new Result(version, newVersions, newTags, objects.get(), bytes.get());
    }

    /** For checkout: downloads the given objects the cache lacks; objects the remote lacks are left out. */
    @Override
    public void fetch(Collection<ObjectId> ids) throws IOException {
        List<ObjectId> absent = ids.stream().filter(id -> !store.contains(id)).distinct().toList();
        if (!absent.isEmpty()) {
            loadAllPacks();
        }
        transfers.run(packs.runs(absent), run -> downloadRun(run, false, id -> { }));
    }

    private void downloadRequired(List<ObjectId> ids) throws IOException {
        List<ObjectId> absent = ids.stream().filter(id -> !store.contains(id)).toList();
        transfers.run(packs.runs(absent), run -> downloadRun(run, true, id -> { }));
    }

    /**
     * Reads one run: a loose object, or neighbours in a pack with one ranged GET, each stored verified.
     * If the range breaks or an object in it does not match, the objects not yet stored are downloaded
     * one by one, each retried as {@link #download} does. {@code required}: an object the remote lacks
     * is an error, else it is left out. {@code done} is told of each object stored.
     */
    private void downloadRun(PackLocator.Run run, boolean required, Consumer<ObjectId> done) throws IOException {
        int stored = 0;
        if (run.ids().size() > 1) {
            try (InputStream in = remote.remote().get(run.key(), run.offset(), run.length())) {
                long at = 0;
                for (int i = 0; i < run.ids().size(); i++) {
                    in.skipNBytes(run.offsets().get(i) - at);
                    int size = Math.toIntExact(run.sizes().get(i));
                    byte[] bytes = in.readNBytes(size);
                    at = run.offsets().get(i) + bytes.length;
                    store.insert(run.ids().get(i), bytes);
                    counted(bytes.length);
                    done.accept(run.ids().get(i));
                    stored++;
                }
            } catch (CorruptObjectException | RemoteRetryableException | RemoteNotFoundException | EOFException e) {
                // the rest one by one below
            }
        }
        for (ObjectId id : run.ids().subList(stored, run.ids().size())) {
            if (required) {
                downloadRequiredOne(id);
            } else {
                try {
                    download(id);
                } catch (RemoteNotFoundException e) {
                    continue; // left out: the caller reports what is still missing
                }
            }
            done.accept(id);
        }
    }

    private void counted(long size) {
        objects.incrementAndGet();
        bytes.addAndGet(size);
    }

    private void downloadRequiredOne(ObjectId id) throws IOException {
        try {
            download(id);
        } catch (RemoteNotFoundException e) {
            throw new RepoException("object " + id.hex() + " is neither in the cache nor on remote " + remote.name()
                    + "; the remote is incomplete: run verso verify --remote " + remote.name());
        }
    }

    /** Streams one object into the cache, verified; a broken or mismatching stream is retried whole. */
    private void download(ObjectId id) throws IOException {
        for (int attempt = 1; ; attempt++) {
            // Opening is retried by the remote's wrapper; only a stream broken mid-way is retried here.
            InputStream opened = packs.open(id);
            try (InputStream in = opened) {
                store.insert(id, in);
                counted(Math.max(0, store.size(id)));
                return;
            } catch (CorruptObjectException e) {
                // Bytes changed on the way differ at the next download; a corrupt object never matches.
                if (attempt >= RemoteVersions.DOWNLOAD_ATTEMPTS) {
                    throw new RepoException("remote " + remote.name() + ": object " + id.hex() + " is corrupt ("
                            + e.getMessage().replaceFirst("^corrupt object [0-9a-f]*: ", "") + ", in " + attempt
                            + " downloads); nothing was stored; run verso verify --remote " + remote.name()
                            + " and push a good copy from a clone that has it");
                }
            } catch (RemoteRetryableException e) {
                if (attempt >= RemoteVersions.DOWNLOAD_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        transfers.close();
    }
}
