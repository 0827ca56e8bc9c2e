package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verso.cli.VersoProcess.Result;
import verso.fs.MountOptions;
import verso.fs.MountTable;

/**
 * Real mounts that a test makes through the CLI ({@code verso mount} in the background, or
 * {@code --foreground} in a child process), and their teardown: {@link #close} stops every daemon
 * and unmounts every mount point, whatever the test did. Every command has a timeout.
 */
final class Mounts implements AutoCloseable {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    private final Map<String, String> env;
    private final List<Path> mountPoints = new ArrayList<>();
    private final List<Long> daemons = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    /** @param env extra environment of every verso process (S3 settings, {@code XDG_STATE_HOME}) */
    Mounts(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    Map<String, String> env() {
        return env;
    }

    /** {@code verso ARGS} in {@code dir}, with this environment. */
    Result verso(Path dir, String... args) throws IOException, InterruptedException {
        return VersoProcess.run(dir, VersoProcess.versoCommand(args), env, COMMAND_TIMEOUT);
    }

    /** {@code verso mount MNT ARGS} in the background; the daemon's pid is taken from its output. */
    Result mount(Path dir, Path mnt, String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("mount", mnt.toString()));
        a.addAll(List.of(args));
        return track(mnt, verso(dir, a.toArray(String[]::new)));
    }

    /** Takes {@code mnt}, and the daemon whose pid {@code r} prints (if any), into the teardown. */
    Result track(Path mnt, Result r) {
        mountPoints.add(mnt);
        Matcher m = DAEMON_PID.matcher(r.out());
        if (m.find()) {
            daemons.add(Long.parseLong(m.group(1)));
        }
        return r;
    }

    /** Like {@link #mount}, and the mount must have succeeded; returns the daemon's pid. */
    long mountOk(Path dir, Path mnt, String... args) throws IOException, InterruptedException {
        Result r = mount(dir, mnt, args);
        assertEquals(0, r.exit(), "verso mount\n" + r);
        Matcher m = DAEMON_PID.matcher(r.out());
        assertTrue(m.find(), r.toString());
        return Long.parseLong(m.group(1));
    }

    /**
     * Starts {@code verso mount --foreground MNT ARGS} as a child process logging to {@code log}, and
     * returns once the mount answers.
     */
    Process foreground(Path dir, Path mnt, Path log, String... args) throws IOException, InterruptedException {
        return foreground(List.of(), dir, mnt, log, args);
    }

    /** As above, in a JVM started with the options {@code jvm} (a small heap, say). */
    Process foreground(List<String> jvm, Path dir, Path mnt, Path log, String... args)
            throws IOException, InterruptedException {
        mountPoints.add(mnt);
        List<String> a = new ArrayList<>(List.of("mount", "--foreground", mnt.toString()));
        a.addAll(List.of(args));
        List<String> cmd = VersoProcess.versoCommand(a.toArray(String[]::new));
        cmd.addAll(1, jvm);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        children.add(p);
        waitUntil(Duration.ofSeconds(60), () -> !p.isAlive() || answers(mnt), "the foreground mount at " + mnt);
        assertTrue(p.isAlive(), "verso mount --foreground exited with " + (p.isAlive() ? "" : p.exitValue())
                + ":\n" + readQuietly(log));
        return p;
    }

    /** True if a verso mount is on top at {@code mnt} (not what it was mounted on) and answers. */
    static boolean answers(Path mnt) {
        try {
            return MountTable.find(mnt).filter(m -> m.fsType().equals(MountOptions.FS_TYPE)).isPresent()
                    && MountTable.answers(mnt, Duration.ofSeconds(1));
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a tool (ls, cat, sha256sum, python3...) in {@code dir}, with a timeout; stderr goes with stdout. */
    static Result tool(Path dir, String... cmd) throws IOException, InterruptedException {
        List<String> sh = List.of("sh", "-c", "exec \"$@\" 2>&1", "tool");
        List<String> all = new ArrayList<>(sh);
        all.addAll(List.of(cmd));
        return VersoProcess.run(dir, all, Map.of(), COMMAND_TIMEOUT);
    }

    static String toolOk(Path dir, String... cmd) throws IOException, InterruptedException {
        Result r = tool(dir, cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r.out();
    }

    static void waitUntil(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + timeout.toSeconds() + " s");
            Thread.sleep(100);
        }
    }

    static boolean exited(long pid) {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    /** The environment of a child process with extra variables. */
    static Map<String, String> with(Map<String, String> base, String key, String value) {
        Map<String, String> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    @Override
    public void close() {
        for (Process p : children) {
            p.destroy();
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        // SIGTERM first: a daemon unmounts cleanly; one that does not exit in time is killed
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        }
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(h -> {
                try {
                    h.onExit().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        for (Path mnt : mountPoints) {
            try {
                if (MountTable.find(mnt).isPresent()) {
                    MountTable.unmount(mnt, true);
                }
            } catch (IOException e) {
                System.err.println("teardown: cannot unmount " + mnt + ": " + e.getMessage());
            }
        }
    }
}
