package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * The commands that walk a workspace or a version run in memory bounded by their caches, not by the
 * number of files: a JVM with a 32 MiB heap adds, commits, compares, checks out, verifies and
 * collects 30,000 files, in many small folders and in one large one (at the 2 KiB of heap per file
 * that {@code add} once took, it ran out of memory).
 */
final class BoundedMemoryIT {
    private static final int FOLDERS = 200;
    private static final int PER_FOLDER = 100;
    private static final int BIG_FOLDER = 10_000;
    private static final String HEAP = "-Xmx32m";

    @TempDir
    Path dir;

    private Result verso(String... args) throws IOException, InterruptedException {
        List<String> cmd = VersoProcess.versoCommand(args);
        cmd.add(1, HEAP);
        return VersoProcess.run(dir, cmd, Map.of(), Duration.ofMinutes(3));
    }

    private Result ok(String... args) throws IOException, InterruptedException {
        Result r = verso(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r);
        return r;
    }

    @Test
    void addCommitStatusCheckout_manyFiles_fitInSmallHeap() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        for (int f = 0; f < FOLDERS; f++) {
            Path folder = Files.createDirectories(data.resolve(String.format("f%04d", f)));
            for (int i = 0; i < PER_FOLDER; i++) {
                Files.writeString(folder.resolve("x" + i + ".txt"), f + "/" + i);
            }
        }
        Path big = Files.createDirectories(data.resolve("big"));
        for (int i = 0; i < BIG_FOLDER; i++) {
            Files.writeString(big.resolve("sample-" + i + ".bin"), "b" + i);
        }
        ok("init");
        ok("add", "data");
        ok("commit", "-m", "first");
        assertTrue(ok("status").out().contains("unchanged"), "status after commit");

        Files.writeString(big.resolve("sample-7.bin"), "changed", StandardCharsets.UTF_8);
        assertTrue(ok("status").out().contains("sample-7.bin"), "status names the changed file");
        ok("commit", "-m", "second");

        deleteTree(data);
        ok("checkout");
        assertEquals("changed", Files.readString(big.resolve("sample-7.bin"), StandardCharsets.UTF_8));
        assertEquals("12/34", Files.readString(data.resolve("f0012").resolve("x34.txt"), StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(big)) {
            assertEquals(BIG_FOLDER, s.count());
        }
        assertTrue(ok("status").out().contains("unchanged"), "status after checkout");
        assertTrue(ok("verify").out().contains("OK"), "verify");
        ok("gc", "--all-versions", "--force");
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
