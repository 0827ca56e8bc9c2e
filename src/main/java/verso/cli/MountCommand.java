package verso.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.cache.DiskCache;
import verso.fs.Catalog;
import verso.fs.CatalogRefresher;
import verso.fs.CompositeCatalog;
import verso.fs.DirCatalog;
import verso.fs.MountOptions;
import verso.fs.MountTable;
import verso.fs.RemoteCatalog;
import verso.fs.VersoFileSystem;
import verso.fs.jnr.FuseMount;
import verso.fs.jnr.HugePageMemory;
import verso.fs.jnr.NativeSha256;
import verso.mount.DaemonFiles;
import verso.mount.DaemonLauncher;
import verso.read.BlockReader;
import verso.remote.PackLists;
import verso.remote.Remote;
import verso.remote.RemoteSpec;
import verso.remote.RemoteStats;
import verso.remote.Remotes;
import verso.repo.RepoException;
import verso.repo.Repository;
import verso.store.Hashing;
import verso.store.ObjectStore;
import verso.store.PackLocator;

/**
 * {@code verso mount}: without {@code --foreground}, starts a copy of itself in the background
 * (same JVM and class path, {@code --foreground} plus the hidden {@code --daemon} marker) and returns
 * once the mount answers; with it, builds the filesystem and serves until unmounted or signalled.
 *
 * <p>The serving process takes no repository lock: it only reads the object store and the version
 * files, which are immutable once published, so commit, gc and checkout keep working while a
 * version is mounted; an object that gc deletes is then read from the remote.
 */
@Command(name = "mount", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show every version as a read-only directory tree at MOUNTPOINT.",
                "  latest -> versions/<id>        the newest version",
                "  versions/<id>/<tracked path>   every version",
                "  tags/<name>, dates/<time>      links to versions",
                "File bytes are read when used: from the local cache if it has them, else from",
                "the remote one block per GET, verified, kept in memory (--cache-size) and on",
                "disk (--cache-dir, --disk-cache-size), where later reads and later mounts find",
                "them.",
                "Versions committed or pushed later appear within seconds.",
                "Returns once the mount answers, leaving a daemon that serves it; its pid and",
                "log are in .verso/mounts/ (with --remote-url outside a repository: in",
                "~/.local/state/verso/mounts/). Stop it with verso umount MOUNTPOINT."},
        footer = {"", "Examples:", "  verso mount /mnt/data",
                "  verso mount --foreground --remote-url s3://bucket/datasets /data"})
final class MountCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(MountCommand.class);
    static final String DAEMON_MARKER = "--daemon";
    static final long MIN_CACHE = 16L << 20;
    /** The Java heap: decoded trees and indexes, the S3 client. Blocks live outside it. */
    static final long HEAP_MIB = 128;
    /**
     * The daemon's code is compiled by the JVM's quick compiler alone: its CPU goes to native work, and
     * in a new daemon the optimising compiler cost more than its code saved. Only with libcrypto's
     * SHA-256, as the JDK's is fast only in optimised code ({@link NativeSha256}). A method is compiled
     * after a tenth of the usual calls: code run once a block was otherwise still interpreted, or
     * being compiled, through a daemon's second GiB (0.2 CPU-second of it).
     */
    static final List<String> QUICK_COMPILER = List.of("-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=0.1");
    static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT",
            description = "An empty directory (created if missing).")
    Path mountPoint;

    static final class Source {
        @Option(names = {"-r", "--remote"}, paramLabel = "NAME",
                description = "Read missing objects from this configured remote, and show its versions too "
                        + "(default: the default remote, if any).")
        String remote;

        @Option(names = "--remote-url", paramLabel = "URL",
                description = "Mount a remote alone (s3://bucket/prefix or a directory), with no local "
                        + "repository: works from any folder. S3 settings come from the AWS_* variables.")
        String remoteUrl;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source = new Source();

    @Option(names = {"-f", "--foreground"},
            description = "Serve in the foreground (for containers and service managers): log to stderr; "
                    + "SIGTERM or Ctrl-C unmounts.")
    boolean foreground;

    @Option(names = "--cache-size", paramLabel = "SIZE", converter = ByteSize.class, defaultValue = "512M",
            description = "Memory for file blocks read from the remote, e.g. 512M or 2G (default: ${DEFAULT-VALUE}).")
    long cacheSize;

    @Mixin
    DiskCacheOptions diskCache = new DiskCacheOptions();

    @Option(names = "--allow-other", description = "Let other users read the mount (needs root, or "
            + "user_allow_other in /etc/fuse.conf).")
    boolean allowOther;

    @Option(names = DAEMON_MARKER, hidden = true, description = "Internal: this process is the background daemon.")
    boolean daemon;

    @Override
    public Integer call() throws Exception {
        if (cacheSize < MIN_CACHE) {
            throw new RepoException("--cache-size " + ByteSize.format(cacheSize) + " is too small; give at least "
                    + ByteSize.format(MIN_CACHE));
        }
        Path cwd = main.cwd();
        Path mp = DaemonFiles.canonical(cwd.resolve(mountPoint));
        Path root = Repository.findRoot(cwd).orElse(null);
        if (source.remoteUrl == null && root == null) {
            throw new RepoException("not a verso repository (or any parent up to /): " + cwd
                    + "; run verso init, or mount a remote alone with --remote-url URL");
        }
        DaemonFiles files = DaemonFiles.in(root == null ? DaemonFiles.userDir() : DaemonFiles.repositoryDir(root), mp);
        Path versoDir = source.remoteUrl == null ? root.resolve(Repository.DIR) : null;
        return foreground ? serve(cwd, mp, files, versoDir) : launch(cwd, mp, files, versoDir);
    }

    private int launch(Path cwd, Path mp, DaemonFiles files, Path versoDir) throws IOException {
        String what = checkSource(cwd);
        refuseLiveMount(mp);
        List<String> args = new ArrayList<>(List.of("-C", cwd.toString(), "mount", mp.toString(), "--foreground",
                DAEMON_MARKER, "--cache-size", Long.toString(cacheSize)));
        if (source.remote != null) {
            args.addAll(List.of("--remote", source.remote));
        }
        if (source.remoteUrl != null) {
            args.addAll(List.of("--remote-url", source.remoteUrl));
        }
        args.addAll(diskCache.args(cwd, versoDir));
        if (allowOther) {
            args.add("--allow-other");
        }
        if (main.verbose) {
            args.add("--verbose");
        }
        // Blocks live off the heap, so the heap stays small. Their memory is reused once a block is let
        // go of. Whole blocks are native memory the pool frees itself; the others (a file's last block,
        // small files) are direct buffers, which return when the collector frees them, and reaching the
        // direct limit makes the JVM collect before it allocates.
        List<String> jvm = new ArrayList<>(List.of("-XX:+UseParallelGC", "-Xmx" + HEAP_MIB + "m",
                "-XX:MaxDirectMemorySize=" + (cacheSize >> 20) + "m",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX"));
        if (NativeSha256.create() != null) {
            jvm.addAll(QUICK_COMPILER);
        }
        Files.createDirectories(files.log().getParent());
        if (Files.exists(files.log())) {
            // one log per run, so the tail shown on failure is this run's; the previous one is kept
            Files.move(files.log(), files.log().resolveSibling(files.log().getFileName() + ".1"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(files.log(), "verso mount " + mp + " (" + what + ") started " + Instant.now() + "\n");
        DaemonLauncher.Daemon d;
        try {
            d = DaemonLauncher.launch(DaemonLauncher.javaCommand(jvm, Main.class.getName(), args), mp,
                    files.log(), null, LAUNCH_TIMEOUT);
        } catch (DaemonLauncher.ExitedException e) {
            // the daemon says why in one line, as any verso command does; anything longer stays in its log
            String reason = e.logTail().lines().filter(l -> l.startsWith(Main.ERROR_PREFIX))
                    .reduce((first, last) -> last).map(l -> l.substring(Main.ERROR_PREFIX.length()))
                    .orElse("could not mount " + mp + ": the mount daemon exited");
            throw new RepoException(reason + " (daemon log: " + files.log() + ")");
        } catch (IOException e) {
            throw new RepoException("could not mount " + mp + ": " + e.getMessage() + " (daemon log: " + files.log() + ")");
        }
        System.out.println("mounted " + what + " at " + mp);
        System.out.println("daemon pid " + d.pid() + ", log " + files.log());
        System.out.println("unmount with: verso umount " + mp);
        return 0;
    }

    /** A live FUSE mount at the mount point is refused before anything starts; a dead one the daemon clears. */
    private static void refuseLiveMount(Path mp) throws IOException {
        Optional<MountTable.Mount> m = MountTable.liveFuse(mp);
        if (m.isPresent()) {
            throw new RepoException(MountTable.alreadyMounted(mp, m.get()));
        }
    }

    /** Checks the source cheaply, before a daemon starts, so a mistake fails fast; says what is mounted. */
    private String checkSource(Path cwd) throws IOException {
        if (source.remoteUrl != null) {
            RemoteSpec.of(source.remoteUrl).validate();
            return source.remoteUrl;
        }
        try (Repository repo = Repository.open(cwd)) {
            RemoteSpec spec = source.remote != null ? RemoteWiring.spec(repo, source.remote)
                    : repo.config().defaultRemoteSpec().orElse(null);
            return "the versions of " + repo.root() + (spec == null ? "" : " and " + spec.url());
        }
    }

    private int serve(Path cwd, Path mp, DaemonFiles files, Path versoDir) throws Exception {
        if (!daemon) {
            fitBlockMemory();
        }
        MessageDigest sha = NativeSha256.create();
        if (sha != null) {
            Hashing.use(sha);
        } else {
            LOG.info("libcrypto (OpenSSL) was not found: blocks are verified by the JDK's SHA-256, which is fast "
                    + "only with the JVM's optimising compiler (not with {}); install libssl3 (Debian, Ubuntu) "
                    + "or openssl-libs (Fedora)", QUICK_COMPILER.get(0));
        }
        RemoteStats remoteStats = new RemoteStats();
        Remote remote = null;
        ObjectStore local = null;
        List<Catalog> catalogs = new ArrayList<>();
        PackLocator packs = new PackLocator();
        Path projectVersoDir = null;
        if (source.remoteUrl != null) {
            remote = Remotes.open(RemoteSpec.of(source.remoteUrl).validate(), cwd, remoteStats);
        } else {
            try (Repository repo = Repository.open(cwd)) {
                local = repo.store();
                projectVersoDir = repo.versoDir();
                RemoteSpec spec = source.remote != null ? RemoteWiring.spec(repo, source.remote)
                        : repo.config().defaultRemoteSpec().orElse(null);
                if (spec != null) {
                    remote = Remotes.open(spec, repo.root(), remoteStats);
                }
            }
        }
        DiskCache disk = remote == null ? null : diskCache.open(cwd, versoDir);
        // the remote's pack indexes are kept in mapped files, off the daemon's small heap
        Catalog.Preparer packsOfRemote = remote == null ? null
                : packsOf(remote, packs, DiskCacheOptions.mappedIndexDir(disk));
        if (projectVersoDir != null) {
            catalogs.add(remote == null ? new DirCatalog(projectVersoDir) : new DirCatalog(projectVersoDir, packsOfRemote));
        }
        if (remote != null) {
            catalogs.add(new RemoteCatalog(remote, packsOfRemote, DiskCacheOptions.mirror(disk, remote)));
        }
        Catalog catalog = catalogs.size() == 1 ? catalogs.get(0) : new CompositeCatalog(catalogs);
        long pid = ProcessHandle.current().pid();
        Thread removePid = new Thread(() -> files.deletePidFile(pid), "verso-pid-file");
        try (Catalog c = catalog; Remote r = remote) {
            try {
                catalog.refresh();
            } catch (IOException e) {
                throw new RepoException("cannot list the versions of " + catalog.describe() + ": " + e.getMessage());
            }
            // --cache-size is all the memory for blocks, and the JVM's direct memory (set above, or fitted
            // for a foreground mount).
            try (BlockReader blocks = BlockReader.withMemory(local, remote, packs, disk, cacheSize,
                    new HugePageMemory());
                 CatalogRefresher refresher = new CatalogRefresher(catalog, CatalogRefresher.DEFAULT_PERIOD)) {
                VersoFileSystem fs = new VersoFileSystem(catalog, blocks);
                MountOptions options = MountOptions.defaults().withAllowOther(allowOther);
                Runtime.getRuntime().addShutdownHook(removePid);
                if (disk != null) {
                    LOG.info("disk cache {} ({} at most, {} held)", disk.root(), ByteSize.format(disk.maxBytes()),
                            ByteSize.format(disk.usage()));
                }
                FuseMount.serve(fs, mp, options, () -> ready(files, pid, catalog, mp),
                        () -> blocks.stats().summary() + (r == null ? ""
                                : "; requests to " + r.describe() + ": " + remoteStats));
            } catch (RepoException e) {
                throw e;
            } catch (IOException e) {
                throw new RepoException("cannot mount " + mp + ": " + e.getMessage());
            }
        } finally {
            files.deletePidFile(pid);
        }
        return 0;
    }

    /**
     * Learns which of {@code remote}'s packs hold a version's objects before the version is shown. A
     * version the remote does not have (only in the project) has no pack list there: nothing to learn.
     * The indexes are kept in files of {@code mapDir} mapped into memory (on the heap if null).
     */
    static Catalog.Preparer packsOf(Remote remote, PackLocator packs, Path mapDir) {
        return version -> PackLists.load(remote, version, packs, mapDir);
    }

    /**
     * A foreground mount runs in the JVM the user started. Blocks are direct buffers, whose memory the
     * JVM returns only once it collects them, and by default it lets them grow to the heap's maximum:
     * say which flags bound the process as the background daemon is bounded. If the JVM allows less
     * block memory than {@code --cache-size}, the cache shrinks to fit, so that reads do not fail for
     * want of memory the cache holds.
     */
    private void fitBlockMemory() {
        String direct;
        try {
            direct = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxDirectMemorySize").getValue();
        } catch (RuntimeException | LinkageError e) {
            return; // not a HotSpot JVM: nothing to check
        }
        boolean unset = "0".equals(direct);
        long limit = unset ? Runtime.getRuntime().maxMemory() : Long.parseLong(direct);
        if (unset) {
            // advice, not a fault: the default works, and a container's first start should not warn
            LOG.info("this JVM may hold up to its heap size in freed blocks before reclaiming them; to bound "
                    + "its memory as the background daemon does, start it with JAVA_OPTS=\"-Xmx{}m "
                    + "-XX:MaxDirectMemorySize={}m {}\"", HEAP_MIB, cacheSize >> 20, String.join(" ", QUICK_COMPILER));
        }
        if (limit < cacheSize) {
            long fitted = Math.max(MIN_CACHE, limit);
            LOG.warn("this JVM allows {} of block memory, less than --cache-size {}: using a {} cache; "
                    + "raise -XX:MaxDirectMemorySize to use more", ByteSize.format(limit),
                    ByteSize.format(cacheSize), ByteSize.format(fitted));
            cacheSize = fitted;
        }
    }

    private void ready(DaemonFiles files, long pid, Catalog catalog, Path mp) {
        try {
            files.writePid(pid);
        } catch (IOException e) {
            LOG.warn("cannot write the pid file {}: {}", files.pidFile(), e.getMessage());
        }
        LOG.info("serving {} versions of {} at {} (block cache {}); stop with: verso umount {}",
                catalog.snapshot().versions().size(), catalog.describe(), mp, ByteSize.format(cacheSize), mp);
    }
}
