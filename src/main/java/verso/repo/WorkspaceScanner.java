package verso.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveTask;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import verso.store.BlockIndex;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.TreeSlots;

/**
 * Turns a tracked path of the workspace into a {@link Snapshot}.
 *
 * <p>Design: one depth-first walk, each directory's children in name order, trees built bottom-up as
 * each directory completes. The walk runs on a fork/join pool of walker threads (one per core):
 * each subdirectory is a task and a large directory's lstat calls are split in two, so an idle
 * walker steals work, since the walk's cost is mostly the kernel's lstat. Every entry is
 * lstat()ed once, relative to its open directory (through the {@link Directories} given, which lists
 * it too), and checked against the
 * {@link WorkspaceIndex}; only files whose metadata changed are read, in parallel on the shared pool
 * (stored through a {@link FileInserter} when storing, hashed by a {@link ContentHasher} otherwise),
 * with a bounded number in flight so the walk never runs far ahead of the readers. When a directory's
 * last child is done its tree is encoded and, when storing, written at once (children before parents,
 * as the commit point requires); a directory whose children all matched the index reuses the tree it
 * last built. Memory therefore holds the entries of the directories on the walkers' current paths,
 * never the whole workspace, and no file content beyond the inserter's bounded blocks. A storing scan
 * also checks that an index hit is still in the store unless the index knows it stored and the store
 * has lost nothing since (see {@link verso.store.ObjectStore#removalEpoch}), so a version never names
 * an object the cache lacks. A hashing scan keeps only the trees the store lacks (changed
 * directories) for the caller to compare.
 */
final class WorkspaceScanner {
    private final Path root;
    private final Directories directories;
    private final ObjectStore store;
    private final WorkspaceIndex index;
    private final ExecutorService pool;
    private final int blockSize;
    private final int threads;
    /**
     * Files queued or being hashed at once, at most: wide enough that the workers never wait for the
     * walk to be scheduled, and a queued file is a few hundred bytes.
     */
    private static final int HASH_WINDOW = 1024;
    /** Entries of a directory lstat()ed together, half of them forked for an idle walker to steal. */
    private static final int STAT_BATCH = 1024;

    /** A directory's entry, and whether it is the tree the index held (every child unchanged). */
    private record Built(TreeEntry entry, boolean reused) {
    }

    /** A subdirectory being walked on a walker thread, and its position in its parent's tree. */
    private record Forked(int position, ForkJoinTask<Built> built) {
    }

    /**
     * Reads started and not yet waited for. Those done are let go of as more start, so a folder of a
     * million new files holds only the reads in flight (which the hashing window and the inserter bound).
     */
    private static final class Reads {
        private static final int PRUNE_AT = 2 * HASH_WINDOW;
        private final List<CompletableFuture<?>> started = new ArrayList<>();

        void add(CompletableFuture<?> read) {
            if (started.size() >= PRUNE_AT) {
                started.removeIf(r -> r.isDone() && !r.isCompletedExceptionally()); // a failure is kept to be thrown
            }
            started.add(read);
        }

        /** Waits for every read; the first that failed throws, as {@link CompletableFuture#join} does. */
        void await() {
            for (CompletableFuture<?> r : started) {
                r.join();
            }
        }

        /** Waits for every read to end, failed or not. */
        void settle() {
            for (CompletableFuture<?> r : started) {
                try {
                    r.join();
                } catch (CompletionException | CancellationException e) {
                    // reported by the scan's own failure
                }
            }
        }
    }

    /**
     * The directory whose files are being looked up: its path, its path and index key relative to the
     * workspace (null for a file scanned alone, named from the root), and where its lookups stand.
     */
    private record Dir(Path path, String rel, byte[] key, WorkspaceIndex.Hint hint) {
        String rel(String name) {
            return rel == null ? name : rel + "/" + name;
        }

        byte[] key(String name) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            if (key == null) {
                return n;
            }
            byte[] k = Arrays.copyOf(key, key.length + 1 + n.length);
            k[key.length] = '/';
            System.arraycopy(n, 0, k, key.length + 1, n.length);
            return k;
        }
    }

    WorkspaceScanner(Path root, Directories directories, ObjectStore store, WorkspaceIndex index,
                     ExecutorService pool, int blockSize, int threads) {
        this.root = root;
        this.directories = directories;
        this.store = store;
        this.index = index;
        this.pool = pool;
        this.blockSize = blockSize;
        this.threads = threads;
    }

    /** Scans {@code rel}; stores new content when {@code storing}, else only hashes it. */
    Snapshot scan(String rel, boolean storing, ProgressListener progress) throws IOException {
        Path path = root.resolve(rel);
        FileStat attrs;
        try {
            attrs = FileStat.lstat(path);
        } catch (NoSuchFileException e) {
            return new Snapshot(null, Map.of(), List.of(), List.of());
        }
        progress.start(storing ? "Storing" : "Hashing", -1);
        try (Walk walk = new Walk(storing, progress)) {
            TreeEntry top;
            if (attrs.kind() == FileStat.Kind.SYMLINK) {
                top = TreeEntry.symlink(rel, Files.readSymbolicLink(path).toString());
            } else if (attrs.kind() == FileStat.Kind.FILE) {
                TreeEntry[] read = new TreeEntry[1];
                Reads reads = new Reads();
                top = walk.file(new Dir(root, null, null, new WorkspaceIndex.Hint()), rel, attrs,
                        e -> read[0] = e, reads);
                reads.await();
                top = top != null ? top : read[0];
            } else if (attrs.kind() == FileStat.Kind.DIRECTORY) {
                top = walk.root(path, rel).entry();
            } else {
                throw new RepoException(rel + " is neither a file, a directory nor a symlink; verso cannot track it");
            }
            return new Snapshot(top.withName(rel), walk.trees, walk.skipped, walk.temps);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the workspace", e);
        } catch (CompletionException | UncheckedIOException e) {
            IOException io = FileInserter.unwrap(e);
            if (io instanceof NoSuchFileException nsf) {
                throw new RepoException(nsf.getFile() + " disappeared while it was being read; run the command again");
            }
            throw io;
        } finally {
            progress.done();
        }
    }

    /** The state of one scan. */
    private final class Walk implements AutoCloseable {
        private final boolean storing;
        private final ProgressListener progress;
        private final FileInserter inserter;
        private final ContentHasher hasher;
        /** Bounds hashing tasks in flight (the inserter bounds its own). */
        private final Semaphore hashing;
        private final Map<ObjectId, Tree> trees = new HashMap<>();
        private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
        private final List<String> temps = Collections.synchronizedList(new ArrayList<>());
        /** Every read started, for {@link #close} to wait for; guarded by itself. */
        private final Reads inFlight = new Reads();
        /** Walks directories, each a task, and lstat()s large ones in parts; idle walkers steal work. */
        private final ForkJoinPool walkers;
        /** Set when the scan ends early: forked walks still running stop at their next directory. */
        private volatile boolean stopping;

        Walk(boolean storing, ProgressListener progress) {
            this.storing = storing;
            this.progress = progress;
            this.inserter = storing ? new FileInserter(store, blockSize, pool, threads * 2, progress::advance) : null;
            this.hasher = new ContentHasher(blockSize);
            this.hashing = new Semaphore(HASH_WINDOW);
            this.walkers = new ForkJoinPool(threads, pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("verso-walker");
                return t;
            }, null, false);
        }

        /**
         * The entry of file {@code name} in {@code dir} if the index knows it. Otherwise null: the file's
         * read is started, added to {@code reads}, and gives its entry to {@code into} when done.
         */
        TreeEntry file(Dir dir, String name, FileStat attrs, Consumer<TreeEntry> into, Reads reads)
                throws IOException, InterruptedException {
            boolean exec = attrs.executable();
            WorkspaceIndex.Known known = index.lookup(dir.key(name), attrs, dir.hint());
            if (known != null && (!storing || known.stored() || present(known.content()))) {
                if (storing && !known.stored()) {
                    index.record(dir.rel(name), attrs, known.content(), true);
                }
                return entry(name, exec, known.content());
            }
            String rel = dir.rel(name);
            Path path = dir.path().resolve(name);
            long size = attrs.size();
            CompletableFuture<FileContent> c;
            if (storing) {
                c = inserter.insert(path, size);
            } else {
                hashing.acquire();
                c = CompletableFuture.supplyAsync(() -> {
                    try {
                        FileContent fc = hasher.hash(path, size);
                        progress.advance(size);
                        return fc;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        hashing.release();
                    }
                }, pool);
            }
            CompletableFuture<?> done = c.thenAccept(fc -> {
                index.record(rel, attrs, fc, storing);
                into.accept(entry(name, exec, fc));
            });
            reads.add(done);
            synchronized (inFlight) {
                inFlight.add(done);
            }
            return null;
        }

        /** Walks the top directory {@code rel} on the walker threads and builds its tree. */
        Built root(Path path, String rel) throws IOException {
            try {
                return walkers.invoke(new DirTask(path, rel, rel));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }

        /** A subdirectory's walk, forked: the walker thread that joins it may run it, or an idle one steals it. */
        Forked subdir(int position, Path path, String name, String rel) {
            return new Forked(position, new DirTask(path, name, rel).fork());
        }

        /** The walk of one directory as a fork/join task. */
        private final class DirTask extends RecursiveTask<Built> {
            private static final long serialVersionUID = 1L;
            private final transient Path path;
            private final String name;
            private final String rel;

            DirTask(Path path, String name, String rel) {
                this.path = path;
                this.name = name;
                this.rel = rel;
            }

            @Override
            protected Built compute() {
                try {
                    return dir(path, name, rel);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new IOException("interrupted while reading the workspace", e));
                }
            }
        }

        /** Walks directory {@code rel} and builds its tree. */
        Built dir(Path path, String name, String rel) throws IOException, InterruptedException {
            if (stopping) {
                throw new IOException("the scan was stopped");
            }
            try (Directories.Open ds = directories.open(path)) {
                return dir(path, name, rel, ds);
            }
        }

        /**
         * Walks the directory open as {@code ds}. Children are lstat()ed through it (fstatat on the
         * directory's descriptor) rather than by whole path, which saves the kernel resolving every
         * parent again for each file.
         */
        private Built dir(Path path, String name, String rel, Directories.Open ds)
                throws IOException, InterruptedException {
            TreeSlots slots = new TreeSlots();
            ds.names(s -> {
                if (s.startsWith(AtomicFile.TEMP_PREFIX)) {
                    temps.add(rel + "/" + s);
                } else {
                    slots.addName(s);
                }
            });
            slots.sort();
            int n = slots.size();
            WorkspaceIndex.CachedTree cached = index.tree(rel);
            Dir here = new Dir(path, rel, rel.getBytes(StandardCharsets.UTF_8), new WorkspaceIndex.Hint());
            List<Forked> forked = new ArrayList<>();
            Reads reads = new Reads();
            boolean unchanged = true;
            for (int from = 0; from < n; from += STAT_BATCH) {
                int to = Math.min(n, from + STAT_BATCH);
                String[] names = new String[to - from];
                for (int k = from; k < to; k++) {
                    names[k - from] = slots.name(k);
                }
                FileStat[] batch = stat(ds, names);
                for (int k = from; k < to; k++) {
                    String cn = names[k - from];
                    FileStat ca = batch[k - from];
                    if (ca == null) {
                        slots.drop(k); // deleted since the listing: it is simply not there
                        unchanged = false;
                    } else if (ca.kind() == FileStat.Kind.SYMLINK) {
                        // Symlinks are read on every scan and not cached, so they make a directory rebuild.
                        slots.set(k, TreeEntry.symlink(cn, Files.readSymbolicLink(path.resolve(cn)).toString()));
                        unchanged = false;
                    } else if (ca.kind() == FileStat.Kind.FILE) {
                        int at = k;
                        TreeEntry known = file(here, cn, ca, e -> slots.set(at, e), reads);
                        if (known != null) {
                            slots.set(k, known);
                        }
                        unchanged &= known != null;
                    } else if (ca.kind() == FileStat.Kind.DIRECTORY) {
                        forked.add(subdir(k, path.resolve(cn), cn, rel + "/" + cn)); // reuse is judged when joined
                    } else {
                        skipped.add(rel + "/" + cn);
                        slots.drop(k);
                    }
                }
            }
            // newest first: the newest is on top of this walker's own queue and runs here, while idle
            // walkers steal the oldest from the other end, so no walker waits while work is queued
            for (int i = forked.size() - 1; i >= 0; i--) {
                Built b = forked.get(i).built().join();
                slots.set(forked.get(i).position(), b.entry);
                unchanged &= b.reused;
            }
            reads.await();
            if (unchanged && cached != null && cached.children() == slots.kept() && store.contains(cached.id())) {
                return new Built(TreeEntry.dir(name, cached.size(), cached.files(), cached.id()), true);
            }
            Tree tree = slots.build();
            ObjectId id;
            if (storing) {
                id = store.insert(tree::encode);
            } else {
                id = tree.hash();
                if (!store.contains(id)) {
                    synchronized (trees) {
                        trees.put(id, tree);
                    }
                }
            }
            TreeEntry built = TreeEntry.dir(name, id, tree.entries());
            int children = tree.entries().size();
            index.recordTree(rel, new WorkspaceIndex.CachedTree(children, id, built.size(), built.files()));
            return new Built(built, false);
        }

        /**
         * The lstat() results of {@code names} in the directory open as {@code ds} (null for a name gone
         * since the listing). Half of a large batch is forked for an idle walker to steal: the lstat
         * calls are most of a scan's time, and a directory of many files would otherwise keep the other
         * walkers idle.
         */
        private FileStat[] stat(Directories.Open ds, String[] names) throws IOException {
            FileStat[] out = new FileStat[names.length];
            if (names.length < STAT_BATCH / 2) {
                stat(ds, names, 0, names.length, out);
                return out;
            }
            int mid = names.length >>> 1;
            ForkJoinTask<?> other = ForkJoinTask.adapt(() -> {
                try {
                    stat(ds, names, mid, names.length, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).fork();
            stat(ds, names, 0, mid, out);
            other.join();
            return out;
        }

        private static void stat(Directories.Open ds, String[] names, int from, int to, FileStat[] out)
                throws IOException {
            for (int k = from; k < to; k++) {
                out[k] = ds.lstat(names[k]);
            }
        }

        private static TreeEntry entry(String name, boolean exec, FileContent c) {
            return TreeEntry.file(name, c.size(), exec, c.id(), c.chunked());
        }

        private boolean present(FileContent c) throws IOException {
            if (!store.contains(c.id())) {
                return false;
            }
            if (!c.chunked()) {
                return true;
            }
            for (ObjectId b : BlockIndex.decode(c.id(), store.read(c.id())).blocks()) {
                if (!store.contains(b)) {
                    return false;
                }
            }
            return true;
        }

        /** On failure, lets the reads already started finish, so none writes after the command returns. */
        @Override
        public void close() {
            stopping = true;
            walkers.shutdown();
            boolean done = false;
            while (!done) {
                try {
                    done = walkers.awaitTermination(1, TimeUnit.HOURS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            synchronized (inFlight) {
                inFlight.settle();
            }
        }
    }
}
