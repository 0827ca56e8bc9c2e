package verso.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.DaemonThreads;

/**
 * The process side of mounting: what {@code /proc/self/mountinfo} says is mounted where, whether a
 * mount answers, clearing a dead FUSE mount (its daemon was killed: every access fails with
 * "Transport endpoint is not connected"), and unmounting with {@code fusermount -u} (lazily with
 * {@code -z} when forced), falling back to {@code umount}.
 */
public final class MountTable {
    private static final Logger LOG = LoggerFactory.getLogger(MountTable.class);
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    /** One line of the mount table. */
    public record Mount(Path mountPoint, String fsType, String source, List<String> options) {
        public boolean readOnly() {
            return options.contains("ro");
        }

        /** A FUSE mount (verso's or another filesystem's), as opposed to a disk, a bind mount, a volume. */
        public boolean fuse() {
            return fsType.startsWith("fuse");
        }
    }

    private MountTable() {
    }

    /** The topmost mount at exactly this path, if any. */
    public static Optional<Mount> find(Path mountPoint) throws IOException {
        Path want = mountPoint.toAbsolutePath().normalize();
        Mount found = null;
        for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
            Mount m = parse(line);
            if (m != null && m.mountPoint().equals(want)) {
                found = m; // later lines are mounted on top of earlier ones
            }
        }
        return Optional.ofNullable(found);
    }

    static Mount parse(String line) {
        String[] f = line.split(" ");
        int dash = Arrays.asList(f).indexOf("-");
        if (f.length < 10 || dash < 6 || dash + 2 >= f.length) {
            return null;
        }
        return new Mount(Path.of(unescape(f[4])), f[dash + 1], unescape(f[dash + 2]), List.of(f[5].split(",")));
    }

    /** Undoes the octal escapes ({@code \040} for a space) of the kernel's mount table. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /**
     * True if listing the directory completes within the timeout. A dead FUSE mount fails at once;
     * a hung daemon does not answer, and the listing is left to finish in a daemon thread.
     */
    public static boolean answers(Path path, Duration timeout) {
        CompletableFuture<Boolean> f = CompletableFuture.supplyAsync(() -> {
            // a listing, not a stat: the kernel answers a stat from its attribute cache for a
            // while after the daemon died, but opening a directory always asks the daemon
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                var unused = ds.iterator().hasNext(); // an empty directory answers too
                return true;
            } catch (IOException | DirectoryIteratorException e) {
                return false;
            }
        }, r -> DaemonThreads.named("verso-stat").newThread(r).start());
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A FUSE mount at the mount point that answers: a new mount there would hide it. Any other mount
     * (a bind mount, a container's volume) is a place to mount on, like a plain directory.
     */
    public static Optional<Mount> liveFuse(Path mountPoint) throws IOException {
        Optional<Mount> m = find(mountPoint);
        return m.isPresent() && m.get().fuse() && answers(mountPoint, Duration.ofSeconds(2)) ? m : Optional.empty();
    }

    /** The error for a mount point that {@link #liveFuse} found in use. */
    public static String alreadyMounted(Path mountPoint, Mount m) {
        return mountPoint + " is already mounted (" + m.fsType() + "); unmount it first"
                + (m.fsType().equals(MountOptions.FS_TYPE) ? " with: verso umount " + mountPoint : "");
    }

    /**
     * Makes the mount point usable for a new mount: a FUSE mount there that no longer answers is
     * lazily unmounted; a live one is an error. Other mounts stay (see {@link #liveFuse}).
     */
    public static void clearStale(Path mountPoint) throws IOException {
        Optional<Mount> m = find(mountPoint);
        if (m.isEmpty() || !m.get().fuse()) {
            return;
        }
        if (answers(mountPoint, Duration.ofSeconds(2))) {
            throw new IOException(alreadyMounted(mountPoint, m.get()));
        }
        LOG.info("clearing a dead mount at {}", mountPoint);
        unmount(mountPoint, true);
    }

    /**
     * Unmounts; with {@code force}, lazily (detached now, cleaned up when no longer busy), which
     * also clears a dead mount. Unmounting a path that is not mounted is an error.
     */
    public static void unmount(Path mountPoint, boolean force) throws IOException {
        String mp = mountPoint.toAbsolutePath().normalize().toString();
        List<String> fuse = new ArrayList<>(List.of("fusermount", "-u", "-q"));
        if (force) {
            fuse.add("-z");
        }
        fuse.add(mp);
        String out = run(fuse);
        if (out == null) {
            return;
        }
        String out2 = run(force ? List.of("umount", "-l", mp) : List.of("umount", mp));
        if (out2 == null) {
            return;
        }
        throw new IOException("could not unmount " + mp + ": " + (out.isBlank() ? out2 : out).trim());
    }

    /** Runs a command; returns null on success, else its output. */
    private static String run(List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return command.get(0) + " not found";
        }
        p.getOutputStream().close();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return command.get(0) + " did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? null : out;
    }
}
