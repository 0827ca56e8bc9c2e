package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.fs.CatalogRefresher;
import verso.fs.DirCatalog;
import verso.fs.MountOptions;
import verso.fs.MountTable;
import verso.fs.StoreContentSource;
import verso.fs.TestRepo;
import verso.fs.VersoFileSystem;
import verso.mount.DaemonLauncher;
import verso.store.Hashing;
import verso.store.ObjectId;

/** Real mounts through the kernel: real tools read the mount. Every test unmounts in teardown. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class MountIT {
    private static final Instant T1 = Instant.parse("2024-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2024-03-02T11:30:15Z");
    private static final int BIG = 9 * 1024 * 1024 + 4321;

    @TempDir
    Path tmp;
    private TestRepo repo;
    private Path mnt;
    private ObjectId v1;
    private ObjectId v2;
    private byte[] big;
    private VersoFileSystem fs;
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final List<Long> daemons = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        repo = new TestRepo(tmp.resolve("repo"));
        repo.write("datasets/train.csv", "a,b\n1,2\n");
        repo.writeExecutable("datasets/tools/run.sh", "#!/bin/sh\necho hi\n");
        repo.symlink("datasets/current", "train.csv");
        repo.write("data/a.npz", "first a");
        v1 = repo.commit(T1, "first", "datasets", "data/a.npz");
        big = TestRepo.random(BIG, 11);
        repo.write("data/a.npz", "second a");
        repo.write("data/big.bin", big);
        v2 = repo.commit(T2, "second", "datasets", "data/a.npz", "data/big.bin");
        repo.tag("v1.0", v1);
        mnt = tmp.resolve("mnt");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                System.err.println("cleanup: " + e);
            }
        }
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (MountTable.find(mnt).isPresent()) {
            MountTable.unmount(mnt, true);
        }
        repo.close();
    }

    private VersoFileSystem fileSystem(DirCatalog catalog) throws IOException {
        catalog.refresh();
        return new VersoFileSystem(catalog, new StoreContentSource(repo.store()));
    }

    private FuseMount mount(MountOptions options) throws IOException {
        DirCatalog catalog = new DirCatalog(repo.meta());
        fs = fileSystem(catalog);
        FuseMount m = FuseMount.mount(fs, mnt, options);
        cleanup.add(m);
        return m;
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String ok(String... cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + ": " + r.out());
        return r.out();
    }

    private String v(ObjectId id, String rel) {
        return mnt.resolve("versions").resolve(id.hex()).resolve(rel).toString();
    }

    @Test
    void mount_realTools_seeStoredBytesAndLayout() throws Exception {
        mount(MountOptions.defaults());
        String ls = ok("ls", "-la", v(v1, "datasets/tools"));
        assertTrue(ls.contains("-r-xr-xr-x") && ls.contains("run.sh"), ls);
        assertEquals(BIG + "", ok("stat", "-c", "%s", v(v2, "data/big.bin")).trim());
        assertEquals(T2.getEpochSecond() + "", ok("stat", "-c", "%Y", v(v2, "data/big.bin")).trim());
        assertEquals("444", ok("stat", "-c", "%a", v(v2, "data/a.npz")).trim());
        String sum = ok("sha256sum", v(v2, "data/big.bin")).split(" ")[0];
        assertEquals(Hashing.hash(big).hex(), sum);
        Path copy = tmp.resolve("copy.bin");
        ok("cp", v(v2, "data/big.bin"), copy.toString());
        assertEquals(Hashing.hash(big), Hashing.hash(Files.readAllBytes(copy)));
        assertEquals("first a", ok("cat", mnt.resolve("tags/v1.0/data/a.npz").toString()));
        assertEquals("second a", ok("cat", mnt.resolve("latest/data/a.npz").toString()));
        assertEquals("a,b\n1,2\n", ok("cat", v(v1, "datasets/current")));
        assertEquals("train.csv", ok("readlink", v(v1, "datasets/current")).trim());
        assertEquals("versions/" + v2.hex(), ok("readlink", mnt.resolve("latest").toString()).trim());
        String dates = ok("ls", mnt.resolve("dates").toString());
        assertTrue(dates.contains("2024-03-01T10:00:00Z") && dates.contains("2024-03-02T11:30:15Z"), dates);
        assertEquals("second a", ok("cat", mnt.resolve("versions").resolve(v2.shortHex()) + "/data/a.npz"));
    }

    @Test
    void mount_files_areReadWithoutOpenOrRelease() throws Exception {
        mount(MountOptions.defaults());
        assertEquals("first a", ok("cat", v(v1, "data/a.npz")));
        assertEquals("a,b\n1,2\n", ok("cat", v(v1, "datasets/train.csv")));
        // two readers of one chunked file at once share its open file
        Process other = new ProcessBuilder("sha256sum", v(v2, "data/big.bin")).redirectErrorStream(true).start();
        String sum = ok("sha256sum", v(v2, "data/big.bin")).split(" ")[0];
        assertTrue(other.waitFor(60, TimeUnit.SECONDS));
        String otherSum = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split(" ")[0];
        assertEquals(Hashing.hash(big).hex(), sum);
        assertEquals(Hashing.hash(big).hex(), otherSum);
        assertEquals(0, fs.handlesTaken(), "the kernel sent an open after the first was declined");
    }

    @Test
    void mount_filesOfAListedFolder_areReadWithoutALookupOrAPathEach() throws Exception {
        for (int i = 0; i < 100; i++) {
            repo.write("many/f" + i, "file " + i);
        }
        ObjectId v3 = repo.commit(T2.plusSeconds(60), "many", "many");
        FuseMount m = mount(MountOptions.defaults());
        assertEquals(100, ok("ls", v(v3, "many")).lines().count());
        String all = ok("sh", "-c", "cd " + v(v3, "many") + " && cat $(ls)");
        assertEquals(100, all.split("file ").length - 1, all);
        long lookups = count(m.requestStats(), "lookup");
        assertTrue(lookups < 10, "the listing carried each file's node and attributes: " + m.requestStats());
        assertEquals(100, count(m.requestStats(), "read"), m.requestStats());
        assertEquals(0, count(m.requestStats(), "readByPath"),
                "each read found its file by its node: " + m.requestStats());
    }

    @Test
    void mount_treeListedWholeThenRead_findsEveryFileByItsNode() throws Exception {
        long bytes = 0;
        for (int d = 0; d < 60; d++) {
            for (int f = 0; f < 100; f++) {
                repo.write("tree/d" + d + "/f" + f, "d" + d + "f" + f);
                bytes += ("d" + d + "f" + f).length();
            }
        }
        ObjectId v3 = repo.commit(T2.plusSeconds(60), "tree", "tree");
        FuseMount m = mount(MountOptions.defaults());
        // as find | xargs cat reads a dataset: every folder listed before the first file is read
        Path list = tmp.resolve("files");
        String n = ok("sh", "-c",
                "cd " + v(v3, "tree") + " && find . -type f > " + list + " && xargs cat < " + list + " | wc -c");
        assertEquals(bytes, Long.parseLong(n.trim()));
        assertEquals(6000, count(m.requestStats(), "read"), m.requestStats());
        assertEquals(0, count(m.requestStats(), "readByPath"),
                "each read found its file by its node: " + m.requestStats());
    }

    @Test
    void mount_sequentialRead_comesInReadsOfUpTo1MiB() throws Exception {
        FuseMount m = mount(MountOptions.defaults());
        assertEquals(Hashing.hash(big).hex(), ok("sha256sum", v(v2, "data/big.bin")).split(" ")[0]);
        long reads = count(m.requestStats(), "read");
        // with the kernel's default read-ahead (128 KiB) it takes 38
        assertTrue(reads > 0 && reads <= BIG / (512 * 1024), "reads: " + m.requestStats());
    }

    @Test
    void mount_readingMoreFilesThanTheNodeBudget_keepsTheNodeTableNearIt() throws Exception {
        for (int i = 0; i < 400; i++) {
            repo.write("many/f" + i, "file " + i);
        }
        ObjectId v3 = repo.commit(T2.plusSeconds(60), "many", "many");
        DirCatalog catalog = new DirCatalog(repo.meta());
        fs = fileSystem(catalog);
        FuseMount m = FuseMount.mount(fs, mnt, MountOptions.defaults(), 64);
        cleanup.add(m);
        // node ids are given again to other names as the kernel drops them: each still reads its own file
        String expected = IntStream.range(0, 400).mapToObj(i -> "file " + i + "\n").collect(Collectors.joining());
        for (int pass = 0; pass < 2; pass++) {
            assertEquals(expected,
                    ok("sh", "-c", "cd " + v(v3, "many") + " && for i in $(seq 0 399); do cat f$i; echo; done"));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count(m.requestStats(), "nodes") > 100 && System.nanoTime() < deadline) {
            Thread.sleep(50); // the kernel forgets the names it dropped as it gets to them
        }
        assertTrue(count(m.requestStats(), "nodes") <= 100, m.requestStats());
        assertTrue(count(m.requestStats(), "lookup") > 400, "names dropped were looked up again: " + m.requestStats());
    }

    @Test
    void mount_folderLargerThanAListingReply_isListedWholeAndInOrder() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            names.add(String.format("entry-with-a-longish-name-%05d.npy", i));
            repo.write("big/" + names.get(i), "x" + i);
        }
        ObjectId v3 = repo.commit(T2.plusSeconds(60), "big", "big");
        FuseMount m = mount(MountOptions.defaults());
        Path listing = tmp.resolve("listing"); // more than a pipe holds
        ok("sh", "-c", "ls -f " + v(v3, "big") + " > " + listing);
        assertEquals(names, Files.readAllLines(listing).stream().filter(n -> !n.startsWith(".")).toList());
        long listings = count(m.requestStats(), "readdirplus") + count(m.requestStats(), "readdir");
        ok("sh", "-c", "ls -U " + v(v3, "big") + " > " + listing);
        assertEquals(names, Files.readAllLines(listing), "a second listing, from the kernel's cache");
        assertEquals(listings, count(m.requestStats(), "readdirplus") + count(m.requestStats(), "readdir"),
                "the second listing reached verso: " + m.requestStats());
        assertEquals("x2999", ok("cat", v(v3, "big/" + names.get(2999))));
        assertTrue(count(m.requestStats(), "readdirplus") + count(m.requestStats(), "readdir") > 1,
                "the listing came in more than one reply: " + m.requestStats());
    }

    /** A counter from the session's statistics line ("name=N"), 0 if absent. */
    private static long count(String stats, String name) {
        for (String field : stats.split(" ")) {
            if (field.startsWith(name + "=")) {
                return Long.parseLong(field.substring(name.length() + 1));
            }
        }
        return 0;
    }

    @Test
    void mount_writes_failReadOnly() throws Exception {
        mount(MountOptions.defaults());
        Result touch = run("touch", v(v1, "data/new"));
        assertNotEquals(0, touch.exit());
        assertTrue(touch.out().contains("Read-only file system"), touch.out());
        Result write = run("sh", "-c", "echo x >> " + v(v1, "data/a.npz"));
        assertNotEquals(0, write.exit());
        assertTrue(write.out().contains("Read-only file system"), write.out());
        assertNotEquals(0, run("mkdir", mnt.resolve("versions/x").toString()).exit());
        assertNotEquals(0, run("rm", v(v1, "data/a.npz")).exit());
        String mounts = Files.readString(Path.of("/proc/mounts"));
        String real = mnt.toRealPath().toString();
        String line = mounts.lines().filter(l -> l.split(" ")[1].equals(real))
                .findFirst().orElseThrow();
        assertTrue(line.contains(" fuse.verso ") && line.contains(" ro,"), line);
        assertTrue(MountTable.find(mnt).orElseThrow().readOnly());
    }

    @Test
    void mount_versionCommittedWhileMounted_appearsWithinSeconds() throws Exception {
        DirCatalog catalog = new DirCatalog(repo.meta());
        FuseMount m = FuseMount.mount(fileSystem(catalog), mnt, MountOptions.defaults());
        cleanup.add(m);
        CatalogRefresher refresher = new CatalogRefresher(catalog, Duration.ofMillis(500));
        cleanup.add(refresher);
        repo.write("data/a.npz", "third a");
        ObjectId v3 = repo.commit(T2.plusSeconds(60), "third", "data/a.npz");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!ok("ls", mnt.resolve("versions").toString()).contains(v3.hex())) {
            assertTrue(System.nanoTime() < deadline, "new version did not appear");
            Thread.sleep(200);
        }
        assertEquals("third a", ok("cat", v(v3, "data/a.npz")));
        deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!ok("readlink", mnt.resolve("latest").toString()).contains(v3.hex())) {
            assertTrue(System.nanoTime() < deadline, "latest did not move");
            Thread.sleep(200);
        }
    }

    @Test
    void allowOther_anotherUid_canRead() throws Exception {
        mount(MountOptions.defaults().withAllowOther(true));
        assertEquals("first a", ok("runuser", "-u", "nobody", "--", "cat", v(v1, "data/a.npz")));
        assertEquals("0", ok("runuser", "-u", "nobody", "--", "sh", "-c",
                "test -x " + v(v1, "datasets/tools/run.sh") + "; echo $?").trim());
    }

    @Test
    void withoutAllowOther_anotherUid_isDenied() throws Exception {
        mount(MountOptions.defaults());
        Result r = run("runuser", "-u", "nobody", "--", "cat", v(v1, "data/a.npz"));
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("Permission denied"), r.out());
    }

    @Test
    void mountInOwnNamespace_servesFiles_invisibleOutside() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "--"));
        cmd.addAll(DaemonLauncher.javaCommand(TestMountMain.class.getName(),
                List.of(repo.meta().toString(), mnt.toString(), "--check", "versions/" + v2.hex() + "/data/big.bin")));
        Result r = run(cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("sha256 " + HexFormat.of().formatHex(Hashing.hash(big).toBytes())), r.out());
        assertFalse(MountTable.find(mnt).isPresent());
    }

    private DaemonLauncher.Daemon launch() throws IOException {
        DaemonLauncher.Daemon d = DaemonLauncher.launch(
                DaemonLauncher.javaCommand(TestMountMain.class.getName(), List.of(repo.meta().toString(), mnt.toString())),
                mnt, tmp.resolve("daemon.log"), tmp.resolve("daemon.pid"), Duration.ofSeconds(40));
        daemons.add(d.pid());
        return d;
    }

    @Test
    void killedDaemon_thenNewMountAtSamePlace_works() throws Exception {
        DaemonLauncher.Daemon d = launch();
        assertEquals(d.pid() + "", Files.readString(tmp.resolve("daemon.pid")).trim());
        assertEquals("first a", ok("cat", v(v1, "data/a.npz")));
        ProcessHandle h = ProcessHandle.of(d.pid()).orElseThrow();
        h.destroyForcibly();
        h.onExit().get(20, TimeUnit.SECONDS);
        Result dead = run("ls", mnt.toString());
        assertTrue(dead.out().contains("Transport endpoint is not connected"), dead.out());
        mount(MountOptions.defaults());
        assertEquals("second a", ok("cat", v(v2, "data/a.npz")));
    }

    @Test
    void sigterm_daemonUnmountsCleanly_andLogsStats() throws Exception {
        DaemonLauncher.Daemon d = launch();
        assertEquals("second a", ok("cat", v(v2, "data/a.npz")));
        ok("kill", "-USR2", d.pid() + "");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.readString(d.log()).contains("stats: opens=1")) {
            assertTrue(System.nanoTime() < deadline, "no stats after SIGUSR2: " + Files.readString(d.log()));
            Thread.sleep(100);
        }
        ProcessHandle h = ProcessHandle.of(d.pid()).orElseThrow();
        h.destroy();
        h.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(MountTable.find(mnt).isPresent());
        String log = Files.readString(d.log());
        assertTrue(log.contains("stopping: opens=1") && log.contains("test=1"), log);
        System.out.println("daemon log:\n" + log);
    }

    @Test
    void launch_nonEmptyMountPoint_failsWithReason() throws Exception {
        Files.createDirectories(mnt);
        Files.writeString(mnt.resolve("occupied"), "x");
        IOException e = assertThrows(IOException.class, this::launch);
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }
}
