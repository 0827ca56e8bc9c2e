package verso.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs verso (or any command) as a real process in a project directory, as a user would. */
final class VersoProcess {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private VersoProcess() {
    }

    static List<String> versoCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-Dverso.lockTimeoutMillis=2000");
        cmd.add("verso.cli.Main");
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Result verso(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, versoCommand(args));
    }

    static Result run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        return run(dir, cmd, Map.of(), Duration.ofMinutes(5));
    }

    /** Runs {@code cmd} in {@code dir} with extra environment variables (such as an S3 server's). */
    static Result run(Path dir, List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        return run(dir, cmd, env, Duration.ofMinutes(5));
    }

    /** Runs {@code cmd} in {@code dir} with extra environment variables; fails if it takes longer than {@code timeout}. */
    static Result run(Path dir, List<String> cmd, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("verso-out", ".txt");
        Path err = Files.createTempFile("verso-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
