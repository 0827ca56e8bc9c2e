package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static verso.cli.Mounts.tool;
import static verso.cli.Mounts.toolOk;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;
import verso.store.Hashing;
import verso.testing.S3Server;

/**
 * The mount's disk cache against an S3 remote (S3Proxy on 127.0.0.1), through real processes and the
 * kernel: blocks read once are read again with the server stopped, after a restart of the mount; a
 * damaged entry is fetched again or is an I/O error, never served; two mounts share one directory
 * within its bound; a directory that cannot be written leaves reads correct.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class DiskCacheIT {
    private static final String BUCKET = "diskcache";
    private static final int MIB = 1 << 20;
    private static S3Server server;
    private static int counter;

    @TempDir
    Path tmp;
    private Path proj;
    private Path empty;
    private Path cache;
    private Mounts mounts;
    private String url;
    private int logs;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        proj = Files.createDirectories(tmp.resolve("proj"));
        empty = Files.createDirectories(tmp.resolve("empty"));
        cache = tmp.resolve("cache");
        Map<String, String> env = new HashMap<>(server.environment());
        env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("user-cache").toString());
        mounts = new Mounts(env);
        url = "s3://" + BUCKET + "/p" + (++counter);
    }

    @AfterEach
    void tearDown() {
        server.restart();
        mounts.close();
    }

    private Result ok(Path dir, String... args) throws Exception {
        Result r = mounts.verso(dir, args);
        assertEquals(0, r.exit(), "verso " + String.join(" ", args) + "\n" + r);
        return r;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A project with data/big.bin (5 blocks and a bit) and data/small.txt, pushed; returns the version id. */
    private String pushed(byte[] big) throws Exception {
        ok(proj, "init");
        Files.createDirectories(proj.resolve("data"));
        Files.write(proj.resolve("data/big.bin"), big);
        Files.writeString(proj.resolve("data/small.txt"), "small\n");
        ok(proj, "add", "data");
        ok(proj, "commit", "-m", "data");
        ok(proj, "remote", "add", "origin", url, "--default");
        ok(proj, "push");
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok(proj, "log", "--json").out())
                .get(0).get("id").asText();
    }

    /** A foreground mount of the remote alone; returns its process, whose log is {@link #log}. */
    private Process mount(Path mnt, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--remote-url", url, "--cache-size", "16M"));
        args.addAll(List.of(options));
        return mounts.foreground(empty, mnt, tmp.resolve("mount" + (++logs) + ".log"), args.toArray(String[]::new));
    }

    private Path lastLog() {
        return tmp.resolve("mount" + logs + ".log");
    }

    /** Unmounts and waits for the foreground process; returns its log. */
    private String umount(Process p, Path mnt, Path log) throws Exception {
        ok(empty, "umount", mnt.toString());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the mount exits once unmounted");
        return Files.readString(log);
    }

    private static long count(String log, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(log);
        assertTrue(m.find(), pattern + " in\n" + log);
        return Long.parseLong(m.group(1));
    }

    private String sha(Path file) throws Exception {
        return toolOk(empty, "sha256sum", file.toString()).split(" ")[0];
    }

    private List<Path> entries() throws Exception {
        try (Stream<Path> s = Files.walk(cache.resolve("objects"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void restartWithTheS3ServerStopped_readsEverythingFromTheDiskCache() throws Exception {
        byte[] big = random(21 * MIB, 1);
        String id = pushed(big);
        Path mnt = tmp.resolve("mnt");
        Path file = mnt.resolve("versions").resolve(id).resolve("data/big.bin");

        Process first = mount(mnt, "--cache-dir", cache.toString());
        assertEquals(Hashing.hash(big).hex(), sha(file));
        assertEquals("small\n", toolOk(empty, "cat", mnt.resolve("latest/data/small.txt").toString()));
        String log = umount(first, mnt, lastLog());
        assertTrue(count(log, "remote: (\\d+) gets") >= 6, log);

        server.stop();
        Process second = mount(mnt, "--cache-dir", cache.toString());
        assertEquals(Hashing.hash(big).hex(), sha(file));
        assertEquals("small\n", toolOk(empty, "cat", mnt.resolve("latest/data/small.txt").toString()));
        log = umount(second, mnt, lastLog());
        assertEquals(0, count(log, "remote: (\\d+) gets"), log);
        assertTrue(count(log, "disk cache: (\\d+) hits") >= 7, log);
        assertTrue(log.contains("showing the 1 versions seen before"), log);
    }

    @Test
    void damagedEntry_isFetchedAgainWithTheServerUp_andAnIoErrorWithItDown() throws Exception {
        byte[] big = random(9 * MIB, 2);
        String id = pushed(big);
        Path mnt = tmp.resolve("mnt");
        Path file = mnt.resolve("versions").resolve(id).resolve("data/big.bin");
        Process p = mount(mnt, "--cache-dir", cache.toString());
        assertEquals(Hashing.hash(big).hex(), sha(file));
        umount(p, mnt, lastLog());

        List<Path> all = entries();
        for (Path e : all) {
            flipAByte(e);
        }
        p = mount(mnt, "--cache-dir", cache.toString());
        assertEquals(Hashing.hash(big).hex(), sha(file));
        String log = umount(p, mnt, lastLog());
        assertEquals(all.size(), count(log, "(\\d+) verification failures"), log);

        for (Path e : entries()) {
            flipAByte(e);
        }
        server.stop();
        p = mount(mnt, "--cache-dir", cache.toString());
        Result cat = tool(empty, "cat", file.toString());
        assertNotEquals(0, cat.exit(), "a damaged entry is never served");
        assertTrue(cat.out().contains("Input/output error"), cat.toString());
        umount(p, mnt, lastLog());
    }

    @Test
    void twoMountsSharingOneCacheDir_bothReadCorrectly_withinTheBound() throws Exception {
        byte[] big = random(33 * MIB, 3);
        String id = pushed(big);
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        long bound = 14L * MIB;
        Process a = mount(one, "--cache-dir", cache.toString(), "--disk-cache-size", Long.toString(bound));
        Path logA = lastLog();
        Process b = mount(two, "--cache-dir", cache.toString(), "--disk-cache-size", Long.toString(bound));
        Path logB = lastLog();
        String rel = "versions/" + id + "/data/big.bin";
        String shell = "sha256sum " + one.resolve(rel) + " > " + tmp.resolve("a.sha") + " & sha256sum "
                + two.resolve(rel) + " > " + tmp.resolve("b.sha") + "; wait";
        toolOk(empty, "sh", "-c", shell);
        assertTrue(Files.readString(tmp.resolve("a.sha")).startsWith(Hashing.hash(big).hex()));
        assertTrue(Files.readString(tmp.resolve("b.sha")).startsWith(Hashing.hash(big).hex()));
        long held = 0;
        for (Path e : entries()) {
            held += Files.size(e);
        }
        assertTrue(held <= bound, held + " bytes in a cache of " + bound);
        assertTrue(held > 0);
        umount(a, one, logA);
        umount(b, two, logB);
    }

    @Test
    void cacheDirThatCannotBeUsed_readsFromMemoryWithOneLogLine() throws Exception {
        byte[] big = random(9 * MIB, 4);
        String id = pushed(big);
        Path mnt = tmp.resolve("mnt");
        Files.writeString(tmp.resolve("a-file"), "x");
        Process p = mount(mnt, "--cache-dir", tmp.resolve("a-file/cache").toString());
        assertEquals(Hashing.hash(big).hex(), sha(mnt.resolve("versions").resolve(id).resolve("data/big.bin")));
        String log = umount(p, mnt, lastLog());
        assertTrue(log.contains("cannot use the disk cache") && log.contains("memory only"), log);
        assertTrue(log.contains("disk cache: none"), log);
    }

    @Test
    void cacheDirOnAFullFilesystem_stopsWritingWithOneLogLine_readsStillCorrect() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small-fs"));
        Result m = tool(empty, "mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", small.toString());
        assumeTrue(m.exit() == 0, "needs to mount a tmpfs: " + m);
        try {
            byte[] big = random(17 * MIB, 5);
            String id = pushed(big);
            Path mnt = tmp.resolve("mnt");
            Process p = mount(mnt, "--cache-dir", small.toString(), "--disk-cache-size", "1G");
            assertEquals(Hashing.hash(big).hex(), sha(mnt.resolve("versions").resolve(id).resolve("data/big.bin")));
            String log = umount(p, mnt, lastLog());
            assertEquals(1, log.lines().filter(l -> l.contains("cannot write the disk cache")).count(), log);
            assertFalse(log.contains("\tat "), "no stack trace: " + log);
        } finally {
            tool(empty, "umount", small.toString());
        }
    }

    @Test
    void prefetch_fillsTheCacheForAMountWithoutTheServer_andNamesAMissingObject() throws Exception {
        byte[] big = random(9 * MIB, 6);
        String id = pushed(big);
        Result r = ok(empty, "prefetch", "--remote-url", url, "--cache-dir", cache.toString());
        assertTrue(r.out().contains("prefetched 4 objects of version " + id.substring(0, 10)), r.toString());

        server.stop();
        Path mnt = tmp.resolve("mnt");
        Process p = mount(mnt, "--cache-dir", cache.toString());
        assertEquals(Hashing.hash(big).hex(), sha(mnt.resolve("versions").resolve(id).resolve("data/big.bin")));
        assertEquals("small\n", toolOk(empty, "cat", mnt.resolve("latest/data/small.txt").toString()));
        String log = umount(p, mnt, lastLog());
        assertEquals(0, count(log, "remote: (\\d+) gets"), log);
        server.restart();

        // the first block of big.bin, a loose object (small ones travel in packs)
        String first = Hashing.hash(java.util.Arrays.copyOf(big, 4 * MIB)).hex();
        Files.delete(server.directory().resolve(BUCKET).resolve(url.substring(url.lastIndexOf('/') + 1))
                .resolve("objects").resolve(first.substring(0, 2)).resolve(first.substring(2)));
        Result missing = mounts.verso(empty, "prefetch", "--remote-url", url, "--cache-dir",
                tmp.resolve("fresh").toString(), id.substring(0, 10), "data");
        assertNotEquals(0, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("could not prefetch 1 object, first data/big.bin (block 0): not found"),
                missing.toString());
        assertFalse(missing.err().contains("\tat "), missing.toString());
    }

    private static void flipAByte(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        b[b.length / 2] ^= 1;
        Files.write(p, b);
    }
}
