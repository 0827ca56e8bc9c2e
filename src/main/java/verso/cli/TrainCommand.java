package verso.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * A hidden command the launcher runs once after a build, under {@code -XX:ArchiveClassesAtExit}: it
 * plays the everyday commands in a scratch project so that the class-data archive it leaves holds
 * the classes they load, and every later verso command starts in about half the time.
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
            Files.write(dir.resolve("data/b.bin"), new byte[5 << 20]);
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
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }
}
