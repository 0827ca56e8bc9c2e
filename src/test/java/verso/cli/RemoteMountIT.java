package verso.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.Mounts.tool;
import static verso.cli.Mounts.toolOk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import verso.fs.MountTable;
import verso.remote.PackLists;
import verso.remote.S3Remote;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.VersionPacks;
import verso.testing.S3Server;

/**
 * Mounts whose bytes come from an S3 remote (S3Proxy on 127.0.0.1), through real processes and the
 * kernel: the tutorial's old archives read by numpy after they left the local cache, a mount of a
 * remote alone from an empty folder, and the failures — a corrupt object, the server going away.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
final class RemoteMountIT {
    private static final String BUCKET = "mounts";
    private static S3Server server;
    private static int counter;

    @TempDir
    Path tmp;
    private Path proj;
    private Path mnt;
    private Mounts mounts;
    private String prefix;
    private String url;

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
        mnt = tmp.resolve("mnt");
        Map<String, String> env = new HashMap<>(server.environment());
        env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("user-cache").toString());
        mounts = new Mounts(env);
        prefix = "p" + (++counter);
        url = "s3://" + BUCKET + "/" + prefix;
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

    private Result sh(Path dir, String... cmd) throws Exception {
        Result r = VersoProcess.run(dir, List.of(cmd), Map.of(), Mounts.COMMAND_TIMEOUT);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r;
    }

    private JsonNode log(Path dir) throws Exception {
        return new ObjectMapper().readTree(ok(dir, "log", "--json").out());
    }

    private S3Remote remote() {
        return server.remote(BUCKET, prefix + "/");
    }

    /**
     * Flips a bit of {@code content} where the S3 server keeps it as a plain file: inside the one pack
     * that holds it (small objects are packed); returns the corrupted bytes.
     */
    private byte[] corruptStored(byte[] content) throws IOException {
        try (Stream<Path> packs = Files.list(server.directory().resolve(BUCKET).resolve(prefix).resolve("packs"))) {
            for (Path pack : packs.toList()) {
                byte[] bytes = Files.readAllBytes(pack);
                for (int at = 0; at + content.length <= bytes.length; at++) {
                    if (Arrays.equals(bytes, at, at + content.length, content, 0, content.length)) {
                        bytes[at] ^= 0x20;
                        Files.write(pack, bytes);
                        return Arrays.copyOfRange(bytes, at, at + content.length);
                    }
                }
            }
        }
        throw new AssertionError("no pack holds the content");
    }

    /** A project with one version of data/ (the given files), pushed to the remote; returns the version id. */
    private String pushedVersion(Map<String, byte[]> files) throws Exception {
        ok(proj, "init");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = proj.resolve("data").resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        ok(proj, "add", "data");
        ok(proj, "commit", "-m", "data");
        ok(proj, "remote", "add", "origin", url, "--default");
        ok(proj, "push");
        return log(proj).get(0).get("id").asText();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Map<String, Integer> shapes(String out) {
        Map<String, Integer> m = new HashMap<>();
        Matcher x = Pattern.compile("datasets/(\\w+)\\.npz \\((\\d+), 28, 28, 28\\)").matcher(out);
        while (x.find()) {
            m.put(x.group(1), Integer.parseInt(x.group(2)));
        }
        return m;
    }

    @Test
    void tutorial_oldArchives_readByNumpyThroughTheMount_afterTheyLeftTheLocalCache() throws Exception {
        ok(proj, "init");
        Files.createDirectories(proj.resolve("datasets"));
        Files.writeString(proj.resolve("generate.py"), TutorialProject.GENERATE);
        sh(proj, "python3", "generate.py");
        Files.writeString(proj.resolve("train_shape.py"), TutorialProject.TRAIN_SHAPE);
        Files.writeString(proj.resolve("train_resample.py"), TutorialProject.TRAIN_RESAMPLE);
        List<String> originalBlobs = new ArrayList<>();
        for (String name : List.of("adrenalmnist3d.npz", "fracturemnist3d.npz")) {
            originalBlobs.add(Hashing.hash(Files.readAllBytes(proj.resolve("datasets").resolve(name))).hex());
        }
        ok(proj, "add", "datasets");
        ok(proj, "commit", "-m", "original datasets");
        sh(proj, "python3", "train_resample.py");
        ok(proj, "commit", "-m", "resampled");
        JsonNode log = log(proj);
        String original = log.get(1).get("id").asText();
        ok(proj, "remote", "add", "origin", url, "--default");
        ok(proj, "push");

        long pid = mounts.mountOk(proj, mnt, "--cache-size", "64M");
        // gc runs while the version is mounted: the daemon holds no repository lock
        ok(proj, "gc", "--workspace");
        for (String hex : originalBlobs) {
            assertFalse(Files.exists(proj.resolve(".verso/cache/objects").resolve(hex.substring(0, 2))
                    .resolve(hex.substring(2))), "the original archive " + hex + " left the local cache");
        }

        Path oldVersion = mnt.resolve("versions").resolve(original);
        Map<String, Integer> old = shapes(sh(oldVersion, "python3", proj.resolve("train_shape.py").toString()).out());
        assertEquals(Map.of("adrenalmnist3d", TutorialProject.ADRENAL_TRAIN,
                "fracturemnist3d", TutorialProject.FRACTURE_TRAIN), old);
        Map<String, Integer> latest = shapes(sh(mnt.resolve("latest"), "python3",
                proj.resolve("train_shape.py").toString()).out());
        assertEquals(Map.of("adrenalmnist3d", TutorialProject.RESAMPLED_TRAIN,
                "fracturemnist3d", TutorialProject.RESAMPLED_TRAIN), latest);

        // the old bytes came from S3: the daemon's statistics say so
        Path daemonLog;
        try (Stream<Path> s = Files.list(proj.resolve(".verso/mounts"))) {
            daemonLog = s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
        }
        toolOk(proj, "kill", "-USR2", pid + "");
        Mounts.waitUntil(Duration.ofSeconds(10), () -> Mounts.readQuietly(daemonLog).contains("stats: "), "stats");
        Matcher gets = Pattern.compile("remote: (\\d+) gets").matcher(Files.readString(daemonLog));
        assertTrue(gets.find() && Integer.parseInt(gets.group(1)) >= 2, Files.readString(daemonLog));
        ok(proj, "umount", mnt.toString());
    }

    /**
     * A version whose objects the remote lists in a million-object set of packs: the mount keeps their
     * indexes out of its heap (in mapped files), so a remote-only mount in a 32 MiB heap lists and reads
     * it. Held on the heap, the indexes alone (44 bytes an object) would not fit, nor, at times, one
     * index's 7 MB of text read whole beside its table (each is decoded as it streams in). The extra indexes
     * name objects of no pack that exists, which a mount never reads: only their size matters here.
     */
    @Test
    void remoteUrl_millionPackedObjects_mountInSmallHeap() throws Exception {
        String id = pushedVersion(Map.of("a/one.txt", "one".getBytes(), "b/two.txt", "two".getBytes()));
        ObjectId version = ObjectId.fromHex(id);
        try (S3Remote remote = remote()) {
            addIndexes(remote, version);
        }

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path daemonLog = tmp.resolve("foreground.log");
        mounts.foreground(List.of("-Xmx32m", "-XX:MaxDirectMemorySize=64m"), empty, mnt, daemonLog,
                "--remote-url", url, "--cache-size", "16M", "--disk-cache-size", "0");
        Path data = mnt.resolve("versions").resolve(id).resolve("data");
        assertEquals("one", toolOk(empty, "cat", data.resolve("a/one.txt").toString()), Mounts.readQuietly(daemonLog));
        assertEquals("two", toolOk(empty, "cat", data.resolve("b/two.txt").toString()));
        assertFalse(Mounts.readQuietly(daemonLog).contains("OutOfMemoryError"), Mounts.readQuietly(daemonLog));
    }

    /** Lists ten more pack indexes of 100,000 made-up objects each in the pack list of {@code version}. */
    private static void addIndexes(S3Remote remote, ObjectId version) throws IOException {
        List<ObjectId> indexes = new ArrayList<>(PackLists.read(remote, version).indexes());
        assertFalse(indexes.isEmpty(), "the small files were packed");
        Random rnd = new Random(16);
        for (int p = 0; p < 10; p++) {
            List<ObjectId> ids = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                byte[] b = new byte[ObjectId.LENGTH];
                rnd.nextBytes(b);
                ids.add(ObjectId.fromBytes(b));
                sizes.add(100L);
            }
            byte[] encoded = PackIndex.of(Hashing.hash(("pack " + p).getBytes()), ids, sizes).encode();
            ObjectId indexId = Hashing.hash(encoded);
            remote.put(Layout.packIndexKey(indexId), encoded);
            indexes.add(indexId);
        }
        remote.put(Layout.versionPacksKey(version), new VersionPacks(version, indexes).encode());
    }

    @Test
    void remoteUrl_fromAnEmptyFolder_inTheForeground_readsAChunkedFile() throws Exception {
        byte[] big = random(13 * 1024 * 1024 + 5, 3);
        String id = pushedVersion(Map.of("big.bin", big, "small.txt", "small".getBytes()));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path daemonLog = tmp.resolve("foreground.log");
        Process p = mounts.foreground(empty, mnt, daemonLog, "--remote-url", url, "--cache-size", "32M");

        Path file = mnt.resolve("versions").resolve(id).resolve("data/big.bin");
        assertEquals(Hashing.hash(big).hex(), toolOk(empty, "sha256sum", file.toString()).split(" ")[0]);
        assertEquals("small", toolOk(empty, "cat", mnt.resolve("latest/data/small.txt").toString()));
        try (Stream<Path> s = Files.list(empty)) {
            assertEquals(0, s.count(), "nothing written to the folder");
        }
        // the foreground process keeps a pid file in the user's state directory for verso umount
        Path state = tmp.resolve("state/verso/mounts");
        try (Stream<Path> s = Files.list(state)) {
            assertTrue(s.anyMatch(f -> f.toString().endsWith(".pid")), "pid file in " + state);
        }

        ok(empty, "umount", mnt.toString());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the foreground mount exits once unmounted");
        assertEquals(0, p.exitValue(), Mounts.readQuietly(daemonLog));
        assertFalse(MountTable.find(mnt).isPresent());
        String logText = Files.readString(daemonLog);
        assertTrue(logText.contains("stopped: ") && logText.contains("remote: "), logText);
    }

    /**
     * A read's reply is written from the verified blocks themselves: a file of the usual 4 MiB blocks
     * is read with no byte copied by the daemon. A file of 4 KiB blocks, whose reads span more blocks
     * than a reply has pieces, has the rest of each read copied into the reply, and reads the same.
     */
    @Test
    void readReplies_comeFromTheBlocks_andReadsOverManySmallBlocksStillMatch() throws Exception {
        byte[] big = random(9 * 1024 * 1024 + 77, 4);
        byte[] fine = random(3 * 1024 * 1024 + 5, 5);
        String first = pushedVersion(Map.of("big.bin", big));
        Path config = proj.resolve(".verso/config");
        Files.writeString(config,
                Files.readString(config).replaceFirst("\"blockSize\"\\s*:\\s*\\d+", "\"blockSize\": 4096"));
        Files.write(proj.resolve("data/fine.bin"), fine);
        ok(proj, "commit", "-m", "fine");
        ok(proj, "push");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        String[] files = {"versions/" + first + "/data/big.bin", "latest/data/fine.bin"};
        byte[][] contents = {big, fine};
        long[] copied = new long[2];
        for (int i = 0; i < 2; i++) {
            Path daemonLog = tmp.resolve("copies-" + i + ".log");
            Process p = mounts.foreground(empty, mnt, daemonLog, "--remote-url", url, "--cache-size", "32M");
            assertEquals(Hashing.hash(contents[i]).hex(),
                    toolOk(empty, "sha256sum", mnt.resolve(files[i]).toString()).split(" ")[0]);
            ok(empty, "umount", mnt.toString());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the foreground mount exits once unmounted");
            Matcher m = Pattern.compile("stopped: .* copied=(\\d+)").matcher(Files.readString(daemonLog));
            assertTrue(m.find(), Files.readString(daemonLog));
            copied[i] = Long.parseLong(m.group(1));
        }
        assertEquals(0, copied[0], "a file of 4 MiB blocks is written to the kernel from its blocks");
        assertTrue(copied[1] > 0 && copied[1] < fine.length,
                "4 KiB blocks: the tail of each read is copied: " + copied[1]);
    }

    @Test
    void foregroundJvmWithLessBlockMemoryThanTheCacheSize_shrinksTheCache_andReadsEveryBlock() throws Exception {
        byte[] big = random(40 * 1024 * 1024, 9); // ten 4 MiB blocks: more than the JVM lets it hold
        String id = pushedVersion(Map.of("big.bin", big));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path daemonLog = tmp.resolve("small-jvm.log");
        Map<String, String> env = new HashMap<>(mounts.env());
        env.put("JDK_JAVA_OPTIONS", "-XX:MaxDirectMemorySize=20m"); // read by the java launcher itself
        try (Mounts small = new Mounts(env)) {
            small.foreground(empty, mnt, daemonLog, "--remote-url", url, "--cache-size", "256M");
            Path file = mnt.resolve("versions").resolve(id).resolve("data/big.bin");
            assertEquals(Hashing.hash(big).hex(), toolOk(empty, "sha256sum", file.toString()).split(" ")[0],
                    Mounts.readQuietly(daemonLog));
            assertTrue(Mounts.readQuietly(daemonLog).contains("less than --cache-size 256M: using a 20M cache"),
                    Mounts.readQuietly(daemonLog));
        }
    }

    @Test
    void corruptObjectOnTheRemote_isAnIoError_otherFilesStillRead() throws Exception {
        byte[] good = "good bytes\n".getBytes();
        byte[] bad = "bytes that will be corrupted\n".getBytes();
        String id = pushedVersion(Map.of("good.txt", good, "bad.txt", bad));
        byte[] wrong = corruptStored(bad);

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        mounts.mountOk(empty, mnt, "--remote-url", url, "--cache-size", "32M");
        Path version = mnt.resolve("versions").resolve(id).resolve("data");
        Result cat = tool(empty, "cat", version.resolve("bad.txt").toString());
        assertNotEquals(0, cat.exit(), cat.toString());
        assertTrue(cat.out().contains("Input/output error"), cat.toString());
        assertFalse(cat.out().contains(new String(wrong)), "no wrong bytes: " + cat);
        assertEquals("good bytes\n", toolOk(empty, "cat", version.resolve("good.txt").toString()));
        // still refused on a second try: nothing corrupt was cached
        assertNotEquals(0, tool(empty, "cat", version.resolve("bad.txt").toString()).exit());
        ok(empty, "umount", mnt.toString());
    }

    @Test
    void packedVersion_everyFileReads_withAGetPerWindowNotPerFile() throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            files.put("d" + (i % 4) + "/f" + i + ".bin", random(1000 + i * 7, i));
        }
        String id = pushedVersion(files);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path daemonLog = tmp.resolve("packed.log");
        Process p = mounts.foreground(empty, mnt, daemonLog, "--remote-url", url, "--cache-size", "32M");
        Path data = mnt.resolve("versions").resolve(id).resolve("data");
        String sums = toolOk(data, "sh", "-c", "find . -type f | sort | xargs sha256sum");
        int checked = 0;
        for (String line : sums.split("\n")) {
            String[] f = line.split(" +\\*?", 2);
            assertEquals(Hashing.hash(files.get(f[1].substring(2))).hex(), f[0], line);
            checked++;
        }
        assertEquals(files.size(), checked);
        ok(empty, "umount", mnt.toString());
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        Matcher requests = Pattern.compile(": (\\d+) requests, ").matcher(Files.readString(daemonLog));
        assertTrue(requests.find(), Mounts.readQuietly(daemonLog));
        // the version, its pack list and index, tags, and ranges of the one pack: not one GET per file
        assertTrue(Integer.parseInt(requests.group(1)) < 40, requests.group());
    }

    @Test
    void s3ServerStoppedMidRead_isAnIoError_andReadsWorkAgainOnceItIsBack() throws Exception {
        int mib = 1024 * 1024;
        byte[] big = random(48 * mib, 9);
        String id = pushedVersion(Map.of("big.bin", big));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        mounts.mountOk(empty, mnt, "--remote-url", url, "--cache-size", "32M");
        String file = mnt.resolve("versions").resolve(id).resolve("data/big.bin").toString();
        Path head = tmp.resolve("head.bin");
        toolOk(empty, "dd", "if=" + file, "of=" + head, "bs=1M", "count=1", "status=none");
        assertArrayEquals(Arrays.copyOf(big, mib), Files.readAllBytes(head));

        server.stop();
        Path part = tmp.resolve("part.bin");
        long start = System.nanoTime();
        Result failed = tool(empty, "dd", "if=" + file, "of=" + part, "bs=1M", "skip=40", "count=1", "status=none");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertNotEquals(0, failed.exit(), failed.toString());
        assertTrue(failed.out().contains("Input/output error"), failed.toString());
        assertTrue(seconds < 40, "EIO after the remote's retries, not a hang: " + seconds + " s");

        server.restart();
        toolOk(empty, "dd", "if=" + file, "of=" + part, "bs=1M", "skip=40", "count=1", "status=none");
        assertArrayEquals(Arrays.copyOfRange(big, 40 * mib, 41 * mib), Files.readAllBytes(part));
        assertEquals(Hashing.hash(big).hex(), toolOk(empty, "sha256sum", file).split(" ")[0]);
        ok(empty, "umount", mnt.toString());
    }
}
