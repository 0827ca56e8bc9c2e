package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * The commands that walk a workspace or a version run in memory bounded by their caches, not by the
 * number of files: a JVM with a 32 MiB heap adds, commits, compares, checks out, verifies and
 * collects 30,000 files, in many small folders and in one large one, and pushes, fetches and collects
 * them on a remote (at the 2 KiB of heap per file that {@code add} once took, it ran out of memory).
 * One folder of 100,000 files goes the same way, from add to a fetched clone's checkout.
 * Checkout runs in a 22 MiB heap: one that kept its whole plan (a change and a pending write per
 * file, about 300 bytes) ran out of memory there.
 */
final class BoundedMemoryIT {
    private static final int FOLDERS = 200;
    private static final int PER_FOLDER = 100;
    private static final int BIG_FOLDER = 10_000;
    private static final int ONE_FOLDER = 100_000;
    private static final String HEAP = "-Xmx32m";
    private static final String CHECKOUT_HEAP = "-Xmx22m";

    @TempDir
    Path dir;

    private Result verso(String... args) throws IOException, InterruptedException {
        return verso(dir, args);
    }

    private static Result verso(Path in, String... args) throws IOException, InterruptedException {
        return versoIn(in, HEAP, args);
    }

    private static Result versoIn(Path in, String heap, String... args) throws IOException, InterruptedException {
        List<String> cmd = VersoProcess.versoCommand(args);
        cmd.add(1, heap);
        cmd.add(1, "-XX:+UseParallelGC"); // the collector the launcher picks
        return VersoProcess.run(in, cmd, Map.of(), Duration.ofMinutes(3));
    }

    private Result ok(String... args) throws IOException, InterruptedException {
        return ok(dir, args);
    }

    private static Result ok(Path in, String... args) throws IOException, InterruptedException {
        Result r = verso(in, args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r);
        return r;
    }

    /**
     * A push reads the objects it packs ahead of the pack being filled, on several threads, within a
     * window of a few MiB: objects just under the packing threshold, 40 MiB of them, would not fit in
     * the heap all at once.
     */
    @Test
    void pushFetch_manyPackedObjects_fitInSmallHeap() throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path data = work.resolve("data");
        Random rnd = new Random(3);
        for (int f = 0; f < 10; f++) {
            Path folder = Files.createDirectories(data.resolve(String.format("f%02d", f)));
            for (int i = 0; i < 50; i++) {
                Files.writeString(folder.resolve("x" + i + ".txt"), f + "/" + i);
            }
        }
        Path near = Files.createDirectories(data.resolve("near"));
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[1000 << 10];
            rnd.nextBytes(b);
            Files.write(near.resolve("n" + i + ".bin"), b);
        }
        String url = dir.resolve("remote").toUri().toString();
        ok(work, "init");
        ok(work, "add", "data");
        ok(work, "commit", "-m", "first");
        ok(work, "tag", "v1");
        ok(work, "remote", "add", "r", url, "--default");
        ok(work, "push");

        Path clone = fetchedClone(url, "v1");
        ok(clone, "checkout", "v1");
        assertEquals("7/42", Files.readString(clone.resolve("data/f07/x42.txt"), StandardCharsets.UTF_8));
        for (int i = 0; i < 40; i++) {
            assertEquals(-1L, Files.mismatch(near.resolve("n" + i + ".bin"), clone.resolve("data/near/n" + i + ".bin")));
        }
    }

    @Test
    void addCommitStatusCheckout_manyFiles_fitInSmallHeap() throws IOException, InterruptedException {
        Path data = dir.resolve("data");
        Path big = writeFiles(data);
        ok("init");
        ok("add", "data");
        ok("commit", "-m", "first");
        assertTrue(ok("status").out().contains("unchanged"), "status after commit");

        Files.writeString(big.resolve("sample-7.bin"), "changed", StandardCharsets.UTF_8);
        assertTrue(ok("status").out().contains("sample-7.bin"), "status names the changed file");
        ok("commit", "-m", "second");

        deleteTree(data);
        Result checkout = versoIn(dir, CHECKOUT_HEAP, "checkout");
        assertEquals(0, checkout.exit(), "checkout in " + CHECKOUT_HEAP + ": " + checkout);
        assertEquals("changed", Files.readString(big.resolve("sample-7.bin"), StandardCharsets.UTF_8));
        assertEquals("12/34", Files.readString(data.resolve("f0012").resolve("x34.txt"), StandardCharsets.UTF_8));
        try (Stream<Path> s = Files.list(big)) {
            assertEquals(BIG_FOLDER, s.count());
        }
        assertTrue(ok("status").out().contains("unchanged"), "status after checkout");
        assertTrue(ok("verify").out().contains("OK"), "verify");
        ok("gc", "--all-versions", "--force");
    }

    /**
     * A single folder of many files: 100,000 in the 32 MiB heap (the issue asks for a folder of
     * 1,000,000 in 256 MiB; here the JVM's own share of the small heap leaves about 220 bytes a file).
     * A scan holds a large folder's entries in arrays, not objects, while its files are read, and
     * writes its tree as it encodes it; a command that reads the tree decodes it as it streams in.
     */
    @Test
    void oneFolderOfManyFiles_fitsInSmallHeap() throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path one = Files.createDirectories(work.resolve("data").resolve("one"));
        for (int i = 0; i < ONE_FOLDER; i++) {
            Files.writeString(one.resolve("s" + i + ".bin"), "sample " + i, StandardCharsets.UTF_8);
        }
        ok(work, "init");
        ok(work, "add", "data");
        ok(work, "commit", "-m", "first");
        ok(work, "tag", "v1");
        assertTrue(ok(work, "status").out().contains("unchanged"), "status after commit");

        Files.writeString(one.resolve("s7.bin"), "changed", StandardCharsets.UTF_8);
        Files.delete(one.resolve("s8.bin"));
        Files.writeString(one.resolve("new.bin"), "new", StandardCharsets.UTF_8);
        String status = ok(work, "status").out();
        assertTrue(status.contains("M data/one/s7.bin") && status.contains("D data/one/s8.bin")
                && status.contains("A data/one/new.bin"), status);
        ok(work, "commit", "-m", "second");
        ok(work, "tag", "v2");
        String diff = ok(work, "diff", "v1", "v2").out();
        assertTrue(diff.contains("data/one/s7.bin") && diff.contains("data/one/new.bin"), diff);
        assertTrue(ok(work, "verify").out().contains("OK"), "verify");

        String url = dir.resolve("remote").toUri().toString();
        ok(work, "remote", "add", "r", url, "--default");
        ok(work, "push");
        ok(work, "gc", "--cloud", "--grace", "0");
        Path clone = fetchedClone(url, "v2");
        ok(clone, "checkout", "v2");
        Path cloned = clone.resolve("data").resolve("one");
        assertEquals("changed", Files.readString(cloned.resolve("s7.bin"), StandardCharsets.UTF_8));
        assertEquals("sample 99999", Files.readString(cloned.resolve("s99999.bin"), StandardCharsets.UTF_8));
        assertFalse(Files.exists(cloned.resolve("s8.bin")));
        try (Stream<Path> s = Files.list(cloned)) {
            assertEquals(ONE_FOLDER, s.count());
        }
        assertTrue(ok(clone, "status").out().contains("unchanged"), "status after checkout");
    }

    /**
     * The remote side over the same 30,000 files: push of two versions (their small files in packs, the
     * pack lists written by walking each version), fetch into an empty clone, verify there, diff of the
     * two versions and gc --cloud, each in the 32 MiB heap.
     */
    @Test
    void pushFetchDiffGcCloud_manyFiles_fitInSmallHeap() throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path data = work.resolve("data");
        Path big = writeFiles(data);
        String url = dir.resolve("remote").toUri().toString();
        ok(work, "init");
        ok(work, "add", "data");
        ok(work, "commit", "-m", "first");
        ok(work, "tag", "v1");
        Files.writeString(big.resolve("sample-7.bin"), "changed", StandardCharsets.UTF_8);
        Files.writeString(data.resolve("f0003").resolve("x5.txt"), "changed too", StandardCharsets.UTF_8);
        ok(work, "commit", "-m", "second");
        ok(work, "tag", "v2");
        ok(work, "remote", "add", "r", url, "--default");
        ok(work, "push");

        Path clone = fetchedClone(url, "v2");
        assertTrue(ok(clone, "verify").out().contains("OK"), "verify in the clone");
        String diff = ok(work, "diff", "v1", "v2").out();
        assertTrue(diff.contains("data/big/sample-7.bin") && diff.contains("data/f0003/x5.txt"), diff);
        ok(work, "gc", "--cloud", "--grace", "0");
        ok(clone, "checkout", "v2");
        assertEquals("changed", Files.readString(clone.resolve("data/big/sample-7.bin"), StandardCharsets.UTF_8));
        assertEquals("12/34", Files.readString(clone.resolve("data/f0012/x34.txt"), StandardCharsets.UTF_8));
    }

    /** A new project in {@code clone} with the remote at {@code url}, {@code version} fetched into it. */
    private Path fetchedClone(String url, String version) throws IOException, InterruptedException {
        Path clone = Files.createDirectories(dir.resolve("clone"));
        ok(clone, "init");
        ok(clone, "remote", "add", "r", url, "--default");
        ok(clone, "fetch", version);
        return clone;
    }

    /** The 30,000 files: FOLDERS folders of PER_FOLDER, and BIG_FOLDER in {@code data/big} (returned). */
    private static Path writeFiles(Path data) throws IOException {
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
        return big;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
