package verso.fs.jnr;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.fs.MountOptions;
import verso.fs.MountTable;
import verso.fs.VersoFileSystem;

/**
 * A live FUSE mount of a {@link VersoFileSystem}.
 *
 * <p>Design: the request loop ({@link FuseSession}) runs on a thread of ours, and readiness is confirmed
 * the way a user would: the mount table shows a {@code fuse.verso} mount at the mount point and a
 * stat of it answers. If the loop ends first, or the timeout passes, mounting fails with the reason.
 * A dead mount left by a killed daemon is cleared first. Closing unmounts (lazily, so a busy mount
 * point does not keep the daemon alive) and waits for the loop to end.
 */
public final class FuseMount implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
    /** What a node the kernel holds costs the heap, with room to spare (61-81 bytes measured). */
    static final long BYTES_PER_NODE = 100;
    /** The kernel's read-ahead for the mount: as much as one read may carry. */
    static final int READ_AHEAD_KIB = FuseSession.MAX_READ / 1024;

    private final Path mountPoint;
    private final VersoFileSystem fs;
    private final int nodeBudget;
    private volatile FuseSession session;
    private final CountDownLatch loopDone = new CountDownLatch(1);
    private final AtomicReference<Throwable> loopError = new AtomicReference<>();
    private volatile boolean closed;

    private FuseMount(Path mountPoint, VersoFileSystem fs, int nodeBudget) {
        this.mountPoint = mountPoint;
        this.fs = fs;
        this.nodeBudget = nodeBudget;
    }

    /** Mounts and returns once the mount answers; throws with the reason otherwise. */
    public static FuseMount mount(VersoFileSystem fs, Path mountPoint, MountOptions options) throws IOException {
        return mount(fs, mountPoint, options, nodeBudget(Runtime.getRuntime().maxMemory()));
    }

    /**
     * How many nodes the kernel may hold in a heap of {@code maxHeap} bytes before it is asked to drop
     * some: a fifth of the heap at {@link #BYTES_PER_NODE} (about 240,000 in the daemon's 128 MiB).
     */
    static int nodeBudget(long maxHeap) {
        return (int) Math.max(1024, Math.min(Integer.MAX_VALUE / 2, maxHeap / 5 / BYTES_PER_NODE));
    }

    /** Mounts with a given node budget (see {@link #nodeBudget}). */
    static FuseMount mount(VersoFileSystem fs, Path mountPoint, MountOptions options, int nodeBudget)
            throws IOException {
        Path mp = mountPoint.toAbsolutePath().normalize();
        FuseEnvironment.check();
        MountTable.clearStale(mp);
        Files.createDirectories(mp);
        if (!Files.isDirectory(mp)) {
            throw new IOException(mp + " is not a directory");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mp)) {
            if (ds.iterator().hasNext()) {
                throw new IOException("mount point " + mp + " is not empty");
            }
        }
        mp = mp.toRealPath();
        FuseMount m = new FuseMount(mp, fs, nodeBudget);
        m.start(options);
        return m;
    }

    private void start(MountOptions options) throws IOException {
        Thread loop = new Thread(() -> {
            try {
                FuseDevice device = FuseDevice.mount(mountPoint, options.optionString());
                try {
                    UnixSystem user = new UnixSystem();
                    session = new FuseSession(fs, device, user.getUid(), user.getGid(), nodeBudget);
                    session.serve();
                } finally {
                    device.unmount(); // only once no worker can touch the device
                }
            } catch (Throwable t) {
                loopError.set(t);
            } finally {
                loopDone.countDown();
            }
        }, "verso-fuse-loop");
        loop.setDaemon(true);
        loop.start();
        long deadline = System.nanoTime() + options.readyTimeout().toNanos();
        while (true) {
            if (loopDone.getCount() == 0) {
                Throwable t = loopError.get();
                throw new IOException("mounting " + mountPoint + " failed"
                        + (t == null ? "" : ": " + rootMessage(t)) + " (libfuse's reason, if any, is on stderr)");
            }
            Optional<MountTable.Mount> m = MountTable.find(mountPoint);
            if (m.isPresent() && m.get().fsType().equals(MountOptions.FS_TYPE)
                    && MountTable.answers(mountPoint, Duration.ofSeconds(1))) {
                LOG.info("mounted {} ({})", mountPoint, options.optionString());
                raiseReadAhead(mountPoint);
                return;
            }
            if (System.nanoTime() > deadline) {
                try {
                    close();
                } catch (IOException e) {
                    LOG.warn("cleaning up after a mount that did not answer: {}", e.getMessage());
                }
                throw new IOException("the mount at " + mountPoint + " did not answer within "
                        + options.readyTimeout().toSeconds() + " s");
            }
            sleep(POLL);
        }
    }

    /**
     * Lets the kernel read ahead {@link #READ_AHEAD_KIB} in a sequential read of this mount, so it can
     * ask for {@link FuseSession#MAX_READ} at once (its default, 128 KiB, would cap every read there:
     * eight times the requests, and about twice the CPU for each byte the daemon serves). The setting
     * belongs to this mount alone, and only root may make it; elsewhere the default stays.
     */
    private static void raiseReadAhead(Path mountPoint) {
        try {
            long dev = (Long) Files.getAttribute(mountPoint, "unix:dev");
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            Path setting = Path.of("/sys/class/bdi", major + ":" + minor, "read_ahead_kb");
            Files.writeString(setting, Integer.toString(READ_AHEAD_KIB));
        } catch (IOException | RuntimeException e) {
            LOG.debug("kernel read-ahead of {} left at its default: {}", mountPoint, e.toString());
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The FUSE requests served so far, by kind. */
    public String requestStats() {
        FuseSession s = session;
        return s == null ? "fuse requests: none" : s.stats();
    }

    /** True while the FUSE session runs (it ends when the filesystem is unmounted by anyone). */
    public boolean isServing() {
        return loopDone.getCount() > 0;
    }

    /** Waits for the FUSE session to end; true if it did within the timeout. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return loopDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Unmounts (lazily if busy) and waits for the loop to end. Safe to call twice. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // only our own mount: once it is gone, what is left there may be a volume it was mounted on
        Optional<MountTable.Mount> top = MountTable.find(mountPoint);
        if (isServing() && top.isPresent() && top.get().fsType().equals(MountOptions.FS_TYPE)) {
            MountTable.unmount(mountPoint, true);
        }
        try {
            if (!awaitExit(EXIT_TIMEOUT)) {
                LOG.warn("the FUSE loop for {} did not end within {} s", mountPoint, EXIT_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("unmounted {}", mountPoint);
    }

    /**
     * The foreground daemon: mounts, runs {@code ready} once the mount answers, then serves until
     * the filesystem is unmounted (by {@code verso umount} or {@code fusermount -u}) or the process
     * gets SIGTERM or SIGINT, which unmount cleanly and return (the JVM's own exit on those signals
     * is a failure code; a shutdown hook still unmounts on any other exit). Statistics (the
     * filesystem's own plus {@code stats}) go to the log on exit and on SIGUSR2 when the JVM lets us
     * handle it.
     */
    public static void serve(VersoFileSystem fs, Path mountPoint, MountOptions options, Runnable ready,
                             Supplier<String> stats) throws IOException, InterruptedException {
        FuseMount m = mount(fs, mountPoint, options);
        Supplier<String> all = () -> fs.stats() + (stats == null ? "" : " " + stats.get()) + "; " + m.requestStats();
        Runnable stop = () -> {
            LOG.info("stopping: {}", all.get());
            try {
                m.close();
            } catch (IOException e) {
                LOG.warn("unmounting {} on exit: {}", m.mountPoint(), e.getMessage());
            }
        };
        Thread hook = new Thread(stop, "verso-unmount");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onStop(stop);
        Signals.onStats(() -> LOG.info("stats: {}", all.get()));
        try {
            ready.run();
            while (!m.awaitExit(Duration.ofSeconds(60))) {
                // serve until unmounted
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                m.close();
                LOG.info("stopped: {}", all.get());
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook does the rest
            }
        }
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting", e);
        }
    }
}
