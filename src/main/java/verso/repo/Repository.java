package verso.repo;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import verso.store.DaemonThreads;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * The repository facade: a project directory with {@code .verso/} (config, cache, versions, tags,
 * head, index, lock). Every operation takes the repository lock itself: shared for reading
 * commands, exclusive for those that write the workspace or delete objects. Close it to stop its
 * worker threads.
 */
public final class Repository implements Closeable {
    public static final String DIR = ".verso";
    /** How long a command waits for another one to release the lock. */
    public static final long LOCK_TIMEOUT_MILLIS = Long.getLong("verso.lockTimeoutMillis", 5000);

    private final Path root;
    private final Path versoDir;
    private final RepoConfig config;
    private final ObjectStore store;
    private final VersionLog versions;
    private final RepoLock lock;
    private final int threads;
    private ExecutorService pool;
    private Directories directories = Directories.JDK;

    private Repository(Path root, RepoConfig config) {
        this.root = root;
        this.versoDir = root.resolve(DIR);
        this.config = config;
        Path cache = config.cacheDir() == null ? versoDir.resolve("cache") : root.resolve(config.cacheDir());
        this.store = new ObjectStore(cache);
        this.versions = new VersionLog(versoDir, store);
        this.lock = new RepoLock(versoDir.resolve("lock"), LOCK_TIMEOUT_MILLIS);
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Creates {@code .verso/} in {@code dir} (which must exist) and opens it. */
    public static Repository init(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new RepoException(root + " is not a directory; create it first");
        }
        Path verso = root.resolve(DIR);
        try {
            Files.createDirectory(verso);
        } catch (FileAlreadyExistsException e) {
            throw new RepoException("a verso repository already exists in " + root + "; use it as is");
        }
        RepoConfig config = RepoConfig.defaults();
        AtomicFile.write(verso.resolve("config"), config.encode());
        // Like .dvc/.gitignore: only the config is meant for git.
        Files.writeString(verso.resolve(".gitignore"), "/*\n!/config\n!/.gitignore\n");
        Files.createDirectories(verso.resolve(Layout.VERSIONS));
        Files.createDirectories(verso.resolve(Layout.TAGS));
        Repository repo = new Repository(root, config);
        repo.store.create();
        return repo;
    }

    /** Opens the repository containing {@code start} (searching upwards, like git). */
    public static Repository open(Path start) throws IOException {
        Path root = findRoot(start).orElseThrow(() -> new RepoException(
                "not a verso repository (or any parent up to /): " + start.toAbsolutePath().normalize()
                        + "; run verso init"));
        RepoConfig config = RepoConfig.read(root.resolve(DIR).resolve("config"));
        Repository repo = new Repository(root, config);
        repo.store.create();
        return repo;
    }

    public static Optional<Path> findRoot(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(DIR).resolve("config"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public Path root() {
        return root;
    }

    public Path versoDir() {
        return versoDir;
    }

    public RepoConfig config() {
        return config;
    }

    /** A change to the config; may refuse it (e.g. a remote name already taken). */
    @FunctionalInterface
    public interface ConfigChange {
        RepoConfig apply(RepoConfig config) throws IOException;
    }

    /**
     * Changes the config (for {@code remote add} and friends) as it is on disk now, not as this
     * instance read it, so two commands changing it at once both count; returns the config written.
     * Takes effect for new instances.
     */
    public RepoConfig updateConfig(ConfigChange change) throws IOException {
        try (RepoLock.Held h = lock.exclusive()) {
            Path file = versoDir.resolve("config");
            RepoConfig changed = change.apply(RepoConfig.read(file));
            AtomicFile.write(file, changed.encode());
            return changed;
        }
    }

    public ObjectStore store() {
        return store;
    }

    public VersionLog versions() {
        return versions;
    }

    public RepoLock lock() {
        return lock;
    }

    public int blockSize() {
        return config.blockSize();
    }

    public Optional<ObjectId> head() throws IOException {
        return versions.head();
    }

    /** The worker pool that hashes and writes files (one thread per processor). */
    public synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads, DaemonThreads.numbered("verso-worker"));
        }
        return pool;
    }

    int threads() {
        return threads;
    }

    /** The pointer files of the workspace, sorted by path. */
    public List<PointerFile> pointers() throws IOException {
        List<PointerFile> out = new ArrayList<>();
        for (String p : PointerFile.findTracked(root)) {
            out.add(PointerFile.read(root, p));
        }
        return out;
    }

    /** The project-relative path of a user-given path (relative to {@code cwd}); refuses paths outside. */
    public String relativize(Path cwd, String userPath) throws RepoException {
        Path abs = cwd.toAbsolutePath().resolve(userPath).normalize();
        if (!abs.startsWith(root) || abs.equals(root)) {
            throw new RepoException(userPath + " is outside the project " + root + "; give a path inside it");
        }
        String rel = root.relativize(abs).toString().replace('\\', '/');
        if (rel.equals(DIR) || rel.startsWith(DIR + "/") || rel.equals(".git") || rel.startsWith(".git/")) {
            throw new RepoException(userPath + " is inside " + rel.substring(0, rel.indexOf('/') < 0 ? rel.length()
                    : rel.indexOf('/')) + "; give a path of your data");
        }
        return rel;
    }

    /** Scans the workspace's directories through {@code d} from now on. */
    public void useDirectories(Directories d) {
        directories = d;
    }

    WorkspaceIndex loadIndex() {
        return WorkspaceIndex.load(versoDir.resolve("index"), config.blockSize(), store.removalEpoch());
    }

    WorkspaceScanner scanner(WorkspaceIndex index) {
        return new WorkspaceScanner(root, directories, store, index, pool(), config.blockSize(), threads);
    }

    /** Tracks paths: stores their content and writes their pointer files (no version yet). */
    public List<PointerFile> add(Path cwd, List<String> paths, ProgressListener progress) throws IOException {
        return new Recorder(this).add(cwd, paths, progress);
    }

    /** Records a new version of every tracked path; {@link Recorder.CommitResult#id()} is null if nothing changed. */
    public Recorder.CommitResult commit(String message, ProgressListener progress) throws IOException {
        return commit(message, root, List.of(), progress);
    }

    /**
     * As {@link #commit(String, ProgressListener)}, reading only {@code paths} (relative to
     * {@code cwd}; inside tracked paths) and taking the rest from the pointer files.
     */
    public Recorder.CommitResult commit(String message, Path cwd, List<String> paths, ProgressListener progress)
            throws IOException {
        return new Recorder(this).commit(message, cwd, paths, progress);
    }

    /** What changed in the workspace since the head version, per tracked path, told as it is found. */
    public void status(Comparison.Listener out) throws IOException {
        try (RepoLock.Held h = lock.shared()) {
            new Comparison(this).status(out);
        }
    }

    /** File changes from version {@code a} to version {@code b}, or to the workspace if {@code b} is null. */
    public void diff(ObjectId a, ObjectId b, Comparison.Listener out) throws IOException {
        try (RepoLock.Held h = lock.shared()) {
            new Comparison(this).diff(a, b, out);
        }
    }

    /**
     * Makes the workspace match {@code version}, or what the pointer files name if it is null.
     * {@code fetcher} (may be null) is asked for objects the cache lacks.
     */
    public Checkout.Result checkout(ObjectId version, boolean force, ObjectFetcher fetcher, ProgressListener progress)
            throws IOException {
        try (RepoLock.Held h = lock.exclusive()) {
            return new Checkout(this, fetcher, progress).run(version, force);
        }
    }

    /**
     * Deletes cached objects not needed by the workspace ({@code allVersions}: nor by any version).
     * {@code onRemote} says whether a version (hence all its objects) has a copy on the default remote.
     */
    public GarbageCollector.Report gc(boolean allVersions, boolean dryRun, boolean force, Predicate<ObjectId> onRemote)
            throws IOException {
        try (RepoLock.Held h = lock.exclusive()) {
            return new GarbageCollector(this, onRemote).run(allVersions, dryRun, force);
        }
    }

    /** Re-hashes every cached object and checks every reference of every version. */
    public RepositoryVerifier.Report verify(Predicate<ObjectId> onRemote) throws IOException {
        try (RepoLock.Held h = lock.shared()) {
            return new RepositoryVerifier(this, onRemote).run();
        }
    }

    /**
     * What a fetch without a version brings: the entries the pointer files name, or the head version's
     * paths when there are none.
     */
    public List<TreeEntry> workspaceEntries() throws IOException {
        List<TreeEntry> roots = new ArrayList<>();
        pointers().forEach(pf -> roots.add(pf.entry()));
        if (roots.isEmpty() && head().isPresent()) {
            roots.addAll(versions.read(head().get()).paths());
        }
        return roots;
    }

    /** Reads a version, ids resolved with {@link VersionLog#resolve}. */
    public Version version(ObjectId id) throws IOException {
        return versions.read(id);
    }

    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}
