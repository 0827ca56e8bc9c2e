package verso.mount;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import verso.fs.MountOptions;
import verso.fs.MountTable;
import verso.repo.RepoException;

/**
 * {@code verso umount}: unmounts, then waits for the daemon serving the mount to exit (it does once
 * its mount is gone). The daemon is found by its pid file (in the repository of the current
 * directory, then in the user's state directory), else by a process whose command line is a verso
 * mount of this mount point. A dead mount left by a killed daemon is unmounted like a live one.
 */
public final class Unmounter {
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration TERM_TIMEOUT = Duration.ofSeconds(10);
    static final Duration FORCE_WAIT = Duration.ofSeconds(5);

    private Unmounter() {
    }

    /**
     * Unmounts {@code mountPoint} (resolved against {@code cwd}, whose repository may hold the daemon's
     * pid file) and stops its daemon; {@code force} detaches a busy mount. Returns what was done, in
     * one line for the user.
     */
    public static String unmount(Path cwd, Path mountPoint, boolean force) throws IOException, InterruptedException {
        Path mp = DaemonFiles.canonical(cwd.resolve(mountPoint));
        List<DaemonFiles> files = DaemonFiles.candidates(cwd, mp);
        Optional<ProcessHandle> daemon = findDaemon(files, mp);
        Optional<MountTable.Mount> mount = MountTable.find(mp);
        if (mount.isEmpty()) {
            if (daemon.isEmpty()) {
                deleteStalePidFiles(files);
                throw new RepoException(mp + " is not mounted");
            }
            // a daemon still starting, or whose mount is in another mount namespace
            stop(daemon.get());
            deleteStalePidFiles(files);
            return "stopped the verso daemon of " + mp + " (pid " + daemon.get().pid() + ")";
        }
        if (!mount.get().fsType().equals(MountOptions.FS_TYPE)) {
            throw new RepoException(mp + " is not a verso mount (" + mount.get().fsType() + "); use umount");
        }
        try {
            MountTable.unmount(mp, force);
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains("busy")) {
                throw new RepoException(mp + " is busy (a process has a file or directory open there); close it, "
                        + "or use verso umount --force to detach it now");
            }
            throw new RepoException("could not unmount " + mp + ": " + why.strip());
        }
        if (daemon.isPresent()) {
            ProcessHandle h = daemon.get();
            if (force) {
                if (!awaitExit(h, FORCE_WAIT)) {
                    return "detached " + mp + "; its daemon (pid " + h.pid()
                            + ") exits once the last file open there is closed";
                }
            } else if (!awaitExit(h, EXIT_TIMEOUT)) {
                stop(h);
            }
        }
        deleteStalePidFiles(files);
        return "unmounted " + mp;
    }

    private static Optional<ProcessHandle> findDaemon(List<DaemonFiles> files, Path mp) throws IOException {
        for (DaemonFiles f : files) {
            Optional<ProcessHandle> h = f.daemon();
            if (h.isPresent()) {
                return h;
            }
        }
        // no pid file here: the mount may have been made from another directory
        String target = mp.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().arguments().map(List::of)
                        .map(a -> a.contains("mount") && a.contains(target) && a.contains("--foreground"))
                        .orElse(false))
                .findFirst();
    }

    /** Asks the daemon to stop (SIGTERM: it unmounts and exits) and waits; an error if it does not. */
    private static void stop(ProcessHandle h) throws IOException, InterruptedException {
        h.destroy();
        if (!awaitExit(h, TERM_TIMEOUT)) {
            throw new RepoException("the verso daemon (pid " + h.pid() + ") did not exit after SIGTERM; stop it "
                    + "with kill -9 " + h.pid() + ", then run verso umount --force again");
        }
    }

    private static boolean awaitExit(ProcessHandle h, Duration timeout) throws InterruptedException {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !h.isAlive();
        }
    }

    private static void deleteStalePidFiles(List<DaemonFiles> files) throws IOException {
        for (DaemonFiles f : files) {
            if (f.daemon().isEmpty()) {
                f.deletePidFile();
            }
        }
    }
}
