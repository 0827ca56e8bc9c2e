package verso.mount;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import verso.fs.MountOptions;
import verso.fs.MountTable;

/**
 * Starts a mount daemon in the background and returns once its mount answers.
 *
 * <p>Design: the daemon is the current JVM's executable and class path running a foreground mount
 * (the caller names the main class and arguments), in a session of its own ({@code setsid}, so a
 * terminal's hang-up or Ctrl-C does not reach it), with stdin from /dev/null and stdout and stderr
 * appended to a log file, in {@code /}. The launcher then polls: the mount is ready when the mount
 * table shows a {@code fuse.verso} mount at the mount point and a listing of it answers; if the child exits first
 * ({@link ExitedException}), the error carries the last lines of the log.
 */
public final class DaemonLauncher {
    private static final int LOG_TAIL_LINES = 20;
    private static final Duration POLL = Duration.ofMillis(50);

    /** A started daemon: its process id and log. */
    public record Daemon(long pid, Path log) {
    }

    /** The daemon exited before its mount answered; the last lines of its log say why. */
    public static final class ExitedException extends IOException {
        private final String logTail;

        ExitedException(int exitCode, String logTail) {
            super("the mount daemon exited with code " + exitCode + ":\n" + logTail);
            this.logTail = logTail;
        }

        public String logTail() {
            return logTail;
        }
    }

    private DaemonLauncher() {
    }

    /** The command that runs {@code mainClass} in a new JVM like this one (same executable and class path). */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        return javaCommand(List.of(), mainClass, args);
    }

    /**
     * The command that runs {@code mainClass} in a new JVM like this one, with extra JVM options
     * (heap, GC) before the class path. Class path entries are made absolute, since the daemon
     * runs in {@code /}.
     */
    public static List<String> javaCommand(List<String> jvmOptions, String mainClass, List<String> args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java));
        // FUSE passes names as bytes; jnr decodes them with the default charset, UTF-8 only from JDK 18
        cmd.add("-Dfile.encoding=UTF-8");
        int feature = Runtime.version().feature();
        if (feature >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 24) {
            // jnr/jffi use sun.misc.Unsafe memory access, which JDK 24 warns about on every start
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.addAll(archiveOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.addAll(jvmOptions);
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.isEmpty())
                .map(e -> Path.of(e).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        cmd.addAll(List.of("-cp", classPath, mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * The options of this JVM that the daemon's takes over: the launcher's class-data archive or, on
     * JDK 25 and newer, its ahead-of-time cache (scripts/verso), which serve the daemon too (same jar,
     * same JDK), and the options that keep their log lines quiet.
     */
    static List<String> archiveOptions(List<String> inputArguments) {
        return inputArguments.stream()
                .filter(o -> o.startsWith("-XX:SharedArchiveFile=") || o.startsWith("-XX:AOTCache=")
                        || o.startsWith("-Xlog:cds") || o.startsWith("-Xlog:aot"))
                .toList();
    }

    /**
     * Runs {@code command} detached and waits until a verso mount answers at {@code mountPoint}.
     * A live FUSE mount already there is refused before anything starts; a dead one is left for the
     * daemon to clear.
     *
     * @param pidFile where to write the daemon's pid once it is ready; may be null
     */
    public static Daemon launch(List<String> command, Path mountPoint, Path log, Path pidFile, Duration timeout)
            throws IOException {
        Optional<MountTable.Mount> existing = MountTable.liveFuse(mountPoint);
        if (existing.isPresent()) {
            throw new IOException(MountTable.alreadyMounted(mountPoint, existing.get()));
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.addAll(command);
        // in / so that the daemon keeps no other directory busy (paths in the command are absolute)
        Process p = new ProcessBuilder(cmd)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new ExitedException(p.exitValue(), tail(log));
            }
            Optional<MountTable.Mount> m = MountTable.find(mountPoint);
            if (m.isPresent() && m.get().fsType().equals(MountOptions.FS_TYPE)
                    && MountTable.answers(mountPoint, Duration.ofSeconds(1))) {
                break;
            }
            if (System.nanoTime() > deadline) {
                p.destroy();
                throw new IOException("the mount at " + mountPoint + " did not answer within "
                        + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroy();
                throw new IOException("interrupted while waiting for the mount", e);
            }
        }
        if (pidFile != null) {
            Files.createDirectories(pidFile.toAbsolutePath().getParent());
            Files.writeString(pidFile, p.pid() + "\n");
        }
        return new Daemon(p.pid(), log);
    }

    /** The last lines of a log file (read from its end, so a large log costs little). */
    public static String tail(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 16 * 1024);
            byte[] b = new byte[n];
            f.seek(len - n);
            f.readFully(b);
            String[] lines = new String(b, StandardCharsets.UTF_8).split("\n");
            int from = Math.max(0, lines.length - LOG_TAIL_LINES);
            return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }
}
