package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.VersoProcess.verso;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * Failures of the machine rather than of verso, through the real CLI: out of memory (on the main thread
 * and on another), a full disk, a read-only cache. Each is one line saying what to do, and exit 1. Mounts
 * need root, as the other integration tests do.
 */
@Timeout(600)
final class EnvironmentFailureIT {
    @TempDir
    Path dir;
    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            String target = mounts.get(i).toString();
            if (VersoProcess.run(dir, List.of("umount", target)).exit() != 0) {
                VersoProcess.run(dir, List.of("umount", "-l", target));
            }
        }
    }

    /** Runs {@code mount ARGS TARGET}; a new mount is unmounted after the test. */
    private void mount(Path target, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mount"));
        cmd.addAll(List.of(args));
        cmd.add(target.toString());
        Result r = VersoProcess.run(dir, cmd);
        assertEquals(0, r.exit(), cmd + ": " + r);
        if (!mounts.contains(target)) {
            mounts.add(target);
        }
    }

    private static void oneLine(Result r, String expected) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("verso: ") && r.err().contains(expected), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }

    @Test
    void add_outOfMemory_namesTheHeapLimitAndHowToRaiseIt() throws Exception {
        assertEquals(0, verso(dir, "init").exit());
        // One folder's entries are held together while its tree is built: 40,000 of them need more
        // than the 16 MiB the command is given (add of 40,000 files in 40 folders fits).
        Path data = Files.createDirectories(dir.resolve("data"));
        for (int f = 0; f < 40_000; f++) {
            Files.writeString(data.resolve("file-" + f + ".txt"), String.valueOf(f));
        }
        List<String> cmd = VersoProcess.versoCommand("add", "data");
        cmd.add(1, "-Xmx16m");
        Result r = VersoProcess.run(dir, cmd);
        oneLine(r, "out of memory (the Java heap is limited to ");
        assertTrue(r.err().contains("JAVA_OPTS=-Xmx1g"), r.toString());
    }

    @Test
    void outOfMemoryOnAnotherThread_endsTheCommandWithTheSameLine() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), OutOfMemoryOnAThread.class.getName());
        // Without the handler the process would live on, its main thread waiting: the timeout kills it.
        Result r = VersoProcess.run(dir, cmd, Map.of(), Duration.ofMinutes(1));
        oneLine(r, "out of memory (the Java heap is limited to ");
    }

    @Test
    void add_onAFullDisk_saysToFreeSpace() throws Exception {
        Path small = Files.createDirectories(dir.resolve("small"));
        mount(small, "-t", "tmpfs", "-o", "size=1m", "tmpfs");
        assertEquals(0, verso(small, "init").exit());
        byte[] data = new byte[700_000]; // fits once, not twice (the file and its cached copy)
        new Random(1).nextBytes(data);
        Files.write(small.resolve("big.bin"), data);
        oneLine(verso(small, "add", "big.bin"), "disk full");
    }

    @Test
    void add_toAReadOnlyCache_saysWhichFileSystem() throws Exception {
        assertEquals(0, verso(dir, "init").exit());
        Files.writeString(dir.resolve("f.txt"), "content");
        Path cache = dir.resolve(".verso/cache");
        mount(cache, "--bind", cache.toString());
        mount(cache, "-o", "remount,ro,bind");
        Result r = verso(dir, "add", "f.txt");
        oneLine(r, "read-only file system");
        assertTrue(r.err().startsWith("verso: " + cache + "/"), r.toString());
    }
}
