package verso.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import verso.store.BlockIndex;
import verso.store.DaemonThreads;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.Hashing;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * Turns a tracked path of the workspace into a {@link Snapshot}.
 *
 * <p>Design: one depth-first walk, each directory's children in name order, trees built bottom-up as
 * each directory completes; a subdirectory is walked on a walker thread when one is free (one per
 * core beside the caller), since the walk's cost is mostly the kernel's lstat. Every entry is
 * lstat()ed once (relative to its open directory) and checked against the
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

    /** A file being read: its future content, and what its entry and index record need. */
    private record Pending(String name, String rel, PosixFileAttributes attrs, CompletableFuture<FileContent> content) {
    }

    /** A directory's entry, and whether it is the tree the index held (every child unchanged). */
    private record Built(TreeEntry entry, boolean reused) {
    }

    /** A directory being walked on a walker thread. */
    private record Forked(CompletableFuture<Built> built) {
    }

    WorkspaceScanner(Path root, ObjectStore store, WorkspaceIndex index, ExecutorService pool, int blockSize,
                     int threads) {
        this.root = root;
        this.store = store;
        this.index = index;
        this.pool = pool;
        this.blockSize = blockSize;
        this.threads = threads;
    }

    /** Scans {@code rel}; stores new content when {@code storing}, else only hashes it. */
    Snapshot scan(String rel, boolean storing, ProgressListener progress) throws IOException {
        Path path = root.resolve(rel);
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Snapshot(null, Map.of(), List.of(), List.of());
        }
        progress.start(storing ? "Storing" : "Hashing", -1);
        try (Walk walk = new Walk(storing, progress)) {
            TreeEntry top;
            if (attrs.isSymbolicLink()) {
                top = TreeEntry.symlink(rel, Files.readSymbolicLink(path).toString());
            } else if (attrs.isRegularFile()) {
                List<Object> one = new ArrayList<>(1);
                one.add(walk.file(path, rel, rel, attrs));
                top = walk.join(one, new boolean[] {true}).get(0);
            } else if (attrs.isDirectory()) {
                top = walk.dir(path, rel, rel).entry();
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
        private final Map<ObjectId, byte[]> trees = new HashMap<>();
        private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
        private final List<String> temps = Collections.synchronizedList(new ArrayList<>());
        private final List<Pending> inFlight = new ArrayList<>();
        /** Walks subdirectories beside the calling thread, one per free permit of {@link #forks}. */
        private final ExecutorService walkers;
        private final Semaphore forks;
        /** Set when the scan ends early: forked walks still running stop at their next directory. */
        private volatile boolean stopping;

        Walk(boolean storing, ProgressListener progress) {
            this.storing = storing;
            this.progress = progress;
            this.inserter = storing ? new FileInserter(store, blockSize, pool, threads * 2, progress::advance) : null;
            this.hasher = new ContentHasher(blockSize);
            this.hashing = new Semaphore(HASH_WINDOW);
            this.forks = new Semaphore(threads - 1);
            this.walkers = threads > 1
                    ? Executors.newFixedThreadPool(threads - 1, DaemonThreads.named("verso-walker"))
                    : null;
        }

        /** A file's entry if the index knows it, else a {@link Pending} read. */
        Object file(Path path, String name, String rel, PosixFileAttributes attrs)
                throws IOException, InterruptedException {
            boolean exec = executable(attrs);
            WorkspaceIndex.Known known = index.lookup(rel, attrs, exec);
            if (known != null && (!storing || known.stored() || present(known.content()))) {
                if (storing && !known.stored()) {
                    index.record(rel, attrs, known.content(), true);
                }
                return entry(name, exec, known.content());
            }
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
            Pending p = new Pending(name, rel, attrs, c.thenApply(fc -> {
                index.record(rel, attrs, fc, storing);
                return fc;
            }));
            synchronized (inFlight) {
                inFlight.add(p);
            }
            return p;
        }

        /**
         * Replaces every {@link Pending} read and every {@link Forked} walk in {@code slots} by its
         * entry, waiting for it. Clears {@code reused[0]} if a forked directory was not reused.
         */
        List<TreeEntry> join(List<Object> slots, boolean[] reused) {
            List<TreeEntry> out = new ArrayList<>(slots.size());
            for (Object o : slots) {
                if (o instanceof Pending p) {
                    out.add(entry(p.name, executable(p.attrs), p.content.join()));
                } else if (o instanceof Forked f) {
                    Built b = f.built.join();
                    out.add(b.entry);
                    reused[0] &= b.reused;
                } else {
                    out.add((TreeEntry) o);
                }
            }
            return out;
        }

        /**
         * Walks a subdirectory on a walker thread if one is free (the result to be joined), else on
         * this thread. A walker never waits for a permit, so the walk cannot deadlock on itself:
         * every forked walk holds a permit, and there are as many walker threads as permits.
         */
        Object subdir(Path path, String name, String rel) throws IOException, InterruptedException {
            if (walkers == null || !forks.tryAcquire()) {
                return dir(path, name, rel);
            }
            try {
                return new Forked(CompletableFuture.supplyAsync(() -> {
                    try {
                        return dir(path, name, rel);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UncheckedIOException(new IOException("interrupted while reading the workspace", e));
                    } finally {
                        forks.release();
                    }
                }, walkers));
            } catch (RuntimeException e) {
                forks.release();
                throw e;
            }
        }

        /** Walks directory {@code rel} and builds its tree. */
        Built dir(Path path, String name, String rel) throws IOException, InterruptedException {
            if (stopping) {
                throw new IOException("the scan was stopped");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                return dir(path, name, rel, ds);
            }
        }

        /**
         * Walks the directory open as {@code ds}. Children are lstat()ed through it (fstatat on the
         * directory's descriptor where the platform offers it) rather than by whole path, which
         * saves the kernel resolving every parent again for each file.
         */
        private Built dir(Path path, String name, String rel, DirectoryStream<Path> ds)
                throws IOException, InterruptedException {
            List<String> names = new ArrayList<>();
            for (Path child : ds) {
                String cn = child.getFileName().toString();
                if (cn.startsWith(AtomicFile.TEMP_PREFIX)) {
                    temps.add(rel + "/" + cn);
                } else {
                    names.add(cn);
                }
            }
            names.sort(Names::compare);
            WorkspaceIndex.CachedTree cached = index.tree(rel);
            List<Object> slots = new ArrayList<>(names.size());
            boolean unchanged = true;
            for (String cn : names) {
                Path child = path.resolve(cn);
                String cr = rel + "/" + cn;
                PosixFileAttributes ca;
                try {
                    ca = ds instanceof SecureDirectoryStream<Path> sds
                            ? sds.getFileAttributeView(child.getFileName(), PosixFileAttributeView.class,
                                    LinkOption.NOFOLLOW_LINKS).readAttributes()
                            : Files.readAttributes(child, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    unchanged = false;
                    continue; // deleted since the listing: it is simply not there
                }
                if (ca.isSymbolicLink()) {
                    // Symlinks are read on every scan and not cached, so they make a directory rebuild.
                    slots.add(TreeEntry.symlink(cn, Files.readSymbolicLink(child).toString()));
                    unchanged = false;
                } else if (ca.isRegularFile()) {
                    Object f = file(child, cn, cr, ca);
                    slots.add(f);
                    unchanged &= f instanceof TreeEntry;
                } else if (ca.isDirectory()) {
                    Object sub = subdir(child, cn, cr);
                    if (sub instanceof Built b) {
                        slots.add(b.entry);
                        unchanged &= b.reused;
                    } else {
                        slots.add(sub);
                    }
                } else {
                    skipped.add(cr);
                }
            }
            boolean[] reused = {true};
            List<TreeEntry> entries = join(slots, reused);
            unchanged &= reused[0];
            synchronized (inFlight) {
                inFlight.removeIf(p -> p.content.isDone());
            }
            if (unchanged && cached != null && cached.children() == entries.size() && store.contains(cached.id())) {
                return new Built(TreeEntry.dir(name, cached.size(), cached.files(), cached.id()), true);
            }
            byte[] enc = new Tree(entries).encode();
            ObjectId id = Hashing.hash(enc);
            TreeEntry built = TreeEntry.dir(name, id, entries);
            if (storing) {
                store.insert(enc);
            } else if (!store.contains(id)) {
                synchronized (trees) {
                    trees.put(id, enc);
                }
            }
            index.recordTree(rel, new WorkspaceIndex.CachedTree(entries.size(), id, built.size(), built.files()));
            return new Built(built, false);
        }

        private static TreeEntry entry(String name, boolean exec, FileContent c) {
            return TreeEntry.file(name, c.size(), exec, c.id(), c.chunked());
        }

        private static boolean executable(PosixFileAttributes attrs) {
            return attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
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
            if (walkers != null) {
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
            }
            for (Pending p : inFlight) {
                try {
                    p.content.join();
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    // Already reported by the scan's own failure.
                }
            }
        }
    }
}
