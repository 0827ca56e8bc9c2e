package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.VersoProcess.verso;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/** A commit killed while it writes objects leaves a repository that verifies, and a retried commit completes. */
final class KilledCommitIT {
    @TempDir
    Path dir;

    /** The bytes the store holds: loose objects, packs, and the pack being written in {@code tmp/}. */
    private long storedBytes() throws Exception {
        try (Stream<Path> s = Files.walk(dir.resolve(".verso/cache"))) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    @Test
    void commit_killedMidway_repositoryVerifies_andRetryCompletes() throws Exception {
        assertEquals(0, verso(dir, "init").exit());
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("seed.txt"), "seed");
        assertEquals(0, verso(dir, "add", "data").exit());
        assertEquals(0, verso(dir, "commit", "-m", "seed").exit());

        Random rnd = new Random(3);
        byte[] buf = new byte[128 << 10];
        for (int d = 0; d < 25; d++) {
            Path sub = Files.createDirectories(data.resolve("d" + d));
            for (int f = 0; f < 100; f++) {
                rnd.nextBytes(buf);
                Files.write(sub.resolve("f" + f + ".bin"), buf);
            }
        }
        long before = storedBytes();
        long file = buf.length;
        Process p = new ProcessBuilder(VersoProcess.versoCommand("commit", "-m", "big")).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        while (p.isAlive() && storedBytes() < before + 100 * file) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the commit finished before it could be killed; make the tree larger");
        p.destroyForcibly().waitFor();
        long written = storedBytes() - before;
        assertTrue(written >= 100 * file && written < 2500 * file, "killed after " + written + " bytes");

        Result verify = verso(dir, "verify");
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals(1, verso(dir, "log", "--json").out().split("\"parent\"").length - 1, "no version from the kill");

        Result retry = verso(dir, "commit", "-m", "big");
        assertEquals(0, retry.exit(), retry.toString());
        assertTrue(retry.out().startsWith("committed "), retry.out());
        assertEquals(0, verso(dir, "verify").exit());
        assertTrue(verso(dir, "status").out().contains("nothing to commit"));
    }
}
