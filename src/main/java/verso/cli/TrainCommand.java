package verso.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import verso.remote.S3Remote;
import verso.remote.S3Settings;

/**
 * A hidden command the launcher runs once after a build, under {@code -XX:ArchiveClassesAtExit}: it
 * plays the everyday commands in a scratch project so that the class-data archive it leaves holds
 * the classes they load, and every later verso command starts in about half the time. It also asks
 * an S3 endpoint on a closed local port for an object, so the S3 client's classes (most of what a
 * push, a fetch or a mount daemon loads) are in the archive too; that request fails at once.
 */
@Command(name = "train-class-data", hidden = true, description = "Exercise common commands (for the launcher).")
final class TrainCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("verso-train");
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            Files.createDirectories(dir.resolve("data/sub"));
            Files.writeString(dir.resolve("data/sub/a.txt"), "a");
            Path big = dir.resolve("data/b.bin");
            Files.write(big, new byte[(int) S3Settings.MIN_PART_SIZE + 1]);
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(quiet);
            System.setErr(quiet);
            String d = dir.toString();
            String[][] commands = {
                {"init"}, {"add", "data"}, {"commit", "-m", "one"}, {"status"}, {"log"}, {"log", "--json"},
                {"tag", "t"}, {"diff", "t"}, {"verify"}, {"checkout", "t"}, {"gc", "--workspace", "--dry-run"},
                {"remote", "list"}, {"--help"},
            };
            for (String[] c : commands) {
                String[] args = new String[c.length + 2];
                args[0] = "-C";
                args[1] = d;
                System.arraycopy(c, 0, args, 2, c.length);
                Main.run(args);
            }
            touchS3(big);
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /**
     * A GET, a HEAD, a LIST, a PUT, the start of a multipart upload (of {@code big}) and a DELETE against a
     * closed port: each fails at once, having loaded the classes that make its request.
     */
    private static void touchS3(Path big) {
        try (S3Remote s3 = new S3Remote("train", "", S3Settings.unreachable())) {
            for (Callable<?> request : List.<Callable<?>>of(() -> s3.get("objects/ab/cd", 0, 10),
                    () -> s3.exists("versions/x"), () -> {
                        s3.list("versions/", k -> { });
                        return null;
                    }, () -> {
                        s3.put("locks/x", new byte[1]);
                        return null;
                    }, () -> {
                        s3.put("packs/ab/cd", big);
                        return null;
                    }, () -> {
                        s3.delete("locks/x");
                        return null;
                    })) {
                try {
                    request.call();
                } catch (Exception expected) {
                    // nothing listens there
                }
            }
        }
    }
}
