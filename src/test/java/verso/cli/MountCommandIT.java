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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;
import verso.fs.MountTable;
import verso.store.Hashing;

/**
 * {@code verso mount} and {@code verso umount} of a local repository, through real processes and the
 * kernel: real tools read the committed bytes; the daemon, its pid file and log, stale mounts.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class MountCommandIT {
    private static final int BIG = 9 * 1024 * 1024 + 77;

    @TempDir
    Path tmp;
    private Path proj;
    private Path mnt;
    private Mounts mounts;
    private final List<Path> bindMounts = new ArrayList<>();
    private byte[] big1;
    private byte[] big2;

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        proj = Files.createDirectories(tmp.resolve("proj"));
        mnt = tmp.resolve("mnt");
        mounts = new Mounts(Map.of("XDG_STATE_HOME", tmp.resolve("state").toString(),
                "XDG_CACHE_HOME", tmp.resolve("user-cache").toString()));
    }

    @AfterEach
    void tearDown() throws Exception {
        mounts.close();
        for (Path p : bindMounts) {
            for (int i = 0; i < 5 && MountTable.find(p).isPresent(); i++) {
                MountTable.unmount(p, true);
            }
        }
    }

    private Result ok(String... args) throws Exception {
        Result r = mounts.verso(proj, args);
        assertEquals(0, r.exit(), "verso " + String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Two versions of data/: a small file, a chunked 9 MiB file, an executable script, a symlink. */
    private void twoVersions() throws Exception {
        ok("init");
        Path data = Files.createDirectories(proj.resolve("data/tools"));
        big1 = new byte[BIG];
        new Random(5).nextBytes(big1);
        Files.writeString(proj.resolve("data/a.txt"), "first");
        Files.write(proj.resolve("data/big.bin"), big1);
        Files.writeString(data.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(data.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(proj.resolve("data/link"), Path.of("a.txt"));
        ok("add", "data");
        ok("commit", "-m", "first");
        ok("tag", "v1");
        // dates/ names a second, and shows the newest version of it: commit the second version a
        // second later, so that the first has a date of its own on a fast machine too.
        Thread.sleep(1100);
        big2 = big1.clone();
        big2[BIG - 1] ^= 1;
        Files.writeString(proj.resolve("data/a.txt"), "second");
        Files.write(proj.resolve("data/big.bin"), big2);
        ok("commit", "-m", "second");
    }

    /** The versions, newest first, from {@code verso log --json}. */
    private JsonNode log() throws Exception {
        return new ObjectMapper().readTree(ok("log", "--json").out());
    }

    private Path v(JsonNode version, String rel) {
        return mnt.resolve("versions").resolve(version.get("id").asText()).resolve(rel);
    }

    private Path only(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow();
        }
    }

    @Test
    void mount_localRepository_realToolsSeeCommittedBytes_thenUmountStopsTheDaemon() throws Exception {
        twoVersions();
        JsonNode log = log();
        JsonNode second = log.get(0);
        JsonNode first = log.get(1);
        long pid = mounts.mountOk(proj, mnt, "--cache-size", "64M");
        Path pidFile = only(proj.resolve(".verso/mounts"), ".pid");
        Path daemonLog = only(proj.resolve(".verso/mounts"), ".log");
        assertEquals(pid + "", Files.readString(pidFile).trim());
        String daemonCommand = ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse("");
        assertTrue(daemonCommand.contains("-Xmx128m") && daemonCommand.contains("-XX:MaxDirectMemorySize=64m"),
                "a small heap, and block memory bounded by the 64M of --cache-size: " + daemonCommand);

        String ls = toolOk(proj, "ls", "-la", v(first, "data").toString(), v(first, "data/tools").toString());
        assertTrue(ls.contains("a.txt") && ls.contains("big.bin") && ls.contains("-r-xr-xr-x") && ls.contains("run.sh"), ls);
        assertEquals(BIG + "", toolOk(proj, "stat", "-c", "%s", v(first, "data/big.bin").toString()).trim());
        long firstTime = Instant.parse(first.get("time").asText()).getEpochSecond();
        assertEquals(firstTime + "", toolOk(proj, "stat", "-c", "%Y", v(first, "data/a.txt").toString()).trim());
        assertEquals(Hashing.hash(big1).hex(),
                toolOk(proj, "sha256sum", v(first, "data/big.bin").toString()).split(" ")[0]);
        assertEquals(Hashing.hash(big2).hex(),
                toolOk(proj, "sha256sum", mnt.resolve("latest/data/big.bin").toString()).split(" ")[0]);
        Path copy = tmp.resolve("copy.bin");
        toolOk(proj, "cp", v(first, "data/big.bin").toString(), copy.toString());
        assertArrayEquals(big1, Files.readAllBytes(copy));
        assertEquals("first", toolOk(proj, "cat", mnt.resolve("tags/v1/data/a.txt").toString()));
        assertEquals("first", toolOk(proj, "cat", v(first, "data/link").toString()));
        assertEquals("second", toolOk(proj, "cat", mnt.resolve("latest/data/a.txt").toString()));
        assertEquals("versions/" + second.get("id").asText(),
                toolOk(proj, "readlink", mnt.resolve("latest").toString()).trim());
        String date = Instant.parse(first.get("time").asText()).truncatedTo(ChronoUnit.SECONDS).toString();
        assertEquals("first", toolOk(proj, "cat", mnt.resolve("dates").resolve(date).resolve("data/a.txt").toString()));

        Result touch = tool(proj, "touch", v(first, "data/new").toString());
        assertNotEquals(0, touch.exit());
        assertTrue(touch.out().contains("Read-only file system"), touch.out());
        Result append = tool(proj, "sh", "-c", "echo x >> " + v(first, "data/a.txt"));
        assertNotEquals(0, append.exit());
        assertTrue(append.out().contains("Read-only file system"), append.out());

        // committed while mounted: appears without remounting, and latest moves to it
        Files.writeString(proj.resolve("data/a.txt"), "third");
        ok("commit", "-m", "third");
        String third = log().get(0).get("id").asText();
        Mounts.waitUntil(Duration.ofSeconds(10), () -> Files.isDirectory(mnt.resolve("versions").resolve(third)),
                "the new version under versions/");
        assertEquals("third", toolOk(proj, "cat", mnt.resolve("versions").resolve(third) + "/data/a.txt"));
        Mounts.waitUntil(Duration.ofSeconds(10), () -> readLink(mnt.resolve("latest")).contains(third), "latest moving");

        toolOk(proj, "kill", "-USR2", pid + "");
        Mounts.waitUntil(Duration.ofSeconds(10), () -> Mounts.readQuietly(daemonLog).contains("stats: opens="),
                "stats in the log after SIGUSR2");

        Result umount = ok("umount", mnt.toString());
        assertTrue(umount.out().contains("unmounted " + mnt.toRealPath()), umount.toString());
        assertFalse(MountTable.find(mnt).isPresent());
        assertTrue(Mounts.exited(pid), "the daemon exited");
        assertFalse(Files.exists(pidFile));
        String logText = Files.readString(daemonLog);
        assertTrue(logText.contains("stopped: opens=") && logText.contains("cache: "), logText);
    }

    private static String readLink(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void killedDaemon_mountAgainWorks_andUmountForceClearsADeadMount() throws Exception {
        twoVersions();
        long pid = mounts.mountOk(proj, mnt, "--cache-size", "64M");
        assertEquals("second", toolOk(proj, "cat", mnt.resolve("latest/data/a.txt").toString()));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Mounts.waitUntil(Duration.ofSeconds(20), () -> Mounts.exited(pid), "kill -9");
        Result dead = tool(proj, "ls", mnt.toString());
        assertTrue(dead.out().contains("Transport endpoint is not connected"), dead.out());

        long pid2 = mounts.mountOk(proj, mnt, "--cache-size", "64M");
        assertEquals("first", toolOk(proj, "cat", mnt.resolve("tags/v1/data/a.txt").toString()));

        ProcessHandle.of(pid2).orElseThrow().destroyForcibly();
        Mounts.waitUntil(Duration.ofSeconds(20), () -> Mounts.exited(pid2), "kill -9");
        Result forced = ok("umount", "--force", mnt.toString());
        assertTrue(forced.out().contains("unmounted"), forced.toString());
        assertFalse(MountTable.find(mnt).isPresent());
        try (Stream<Path> s = Files.list(proj.resolve(".verso/mounts"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".pid")), "pid file removed");
        }
    }

    /**
     * A mount point that is itself a mount, as a container's volume always is: verso mounts on top of
     * it, and unmounting (verso umount, or SIGTERM to a foreground mount, which then exits 0) leaves
     * it as it was. A volume with files in it is refused, as a directory with files is.
     */
    @Test
    void mountPointThatIsABindMount_isMountedOn_andLeftInPlace() throws Exception {
        twoVersions();
        Path volume = Files.createDirectories(tmp.resolve("volume"));
        Files.createDirectories(mnt);
        bindMounts.add(mnt);
        toolOk(proj, "mount", "--bind", volume.toString(), mnt.toString());
        String bind = MountTable.find(mnt).orElseThrow().fsType();

        mounts.mountOk(proj, mnt, "--cache-size", "64M");
        assertEquals("second", toolOk(proj, "cat", mnt.resolve("latest/data/a.txt").toString()));
        ok("umount", mnt.toString());
        assertEquals(bind, MountTable.find(mnt).orElseThrow().fsType(), "the bind mount stays");

        Path log = tmp.resolve("foreground.log");
        Process p = mounts.foreground(proj, mnt, log, "--cache-size", "64M");
        assertEquals("first", toolOk(proj, "cat", mnt.resolve("tags/v1/data/a.txt").toString()));
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the foreground mount stops on SIGTERM");
        String logText = Files.readString(log);
        assertEquals(0, p.exitValue(), "a clean stop is a success:\n" + logText);
        assertTrue(logText.contains("unmounted " + mnt.toRealPath()), logText);
        assertFalse(logText.contains("WARN"), "a default start has nothing to warn about:\n" + logText);
        assertEquals(bind, MountTable.find(mnt).orElseThrow().fsType(), "the bind mount stays");

        Files.writeString(volume.resolve("kept"), "x");
        Result notEmpty = mounts.mount(proj, mnt);
        assertEquals(1, notEmpty.exit(), notEmpty.toString());
        assertTrue(notEmpty.err().contains("is not empty"), notEmpty.toString());
        assertEquals("x", Files.readString(mnt.resolve("kept")));
    }

    @Test
    void mountErrors_areUserErrorsWithTheReason() throws Exception {
        for (String c : new String[] {"mount", "umount"}) {
            Result h = mounts.verso(proj, c, "--help");
            assertEquals(0, h.exit(), h.toString());
            assertTrue(h.out().contains("Usage: verso " + c), h.out());
        }
        Result noRepo = mounts.verso(proj, "mount", mnt.toString());
        assertEquals(1, noRepo.exit(), noRepo.toString());
        assertTrue(noRepo.err().contains("run verso init, or mount a remote alone with --remote-url"), noRepo.toString());

        twoVersions();
        Path occupied = Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(occupied.resolve("x"), "x");
        Result notEmpty = mounts.mount(proj, occupied);
        assertEquals(1, notEmpty.exit(), notEmpty.toString());
        assertTrue(notEmpty.err().contains("is not empty") && notEmpty.err().contains("daemon log:"),
                notEmpty.toString());
        assertFalse(notEmpty.err().contains("\tat "), notEmpty.toString());

        Result small = mounts.verso(proj, "mount", mnt.toString(), "--cache-size", "1M");
        assertEquals(1, small.exit(), small.toString());
        assertTrue(small.err().contains("too small"), small.toString());
        assertEquals(2, mounts.verso(proj, "mount", mnt.toString(), "--cache-size", "lots").exit());
        assertEquals(2, mounts.verso(proj, "mount", mnt.toString(), "--remote", "a", "--remote-url", "s3://b/c").exit());
        Result noRemote = mounts.verso(proj, "mount", mnt.toString(), "--remote", "nope");
        assertEquals(1, noRemote.exit(), noRemote.toString());
        assertTrue(noRemote.err().contains("no remote named 'nope'"), noRemote.toString());

        Files.createDirectories(mnt);
        Result notMounted = mounts.verso(proj, "umount", mnt.toString());
        assertEquals(1, notMounted.exit(), notMounted.toString());
        assertTrue(notMounted.err().contains("is not mounted"), notMounted.toString());

        mounts.mountOk(proj, mnt, "--cache-size", "64M");
        Result twice = mounts.mount(proj, mnt);
        assertEquals(1, twice.exit(), twice.toString());
        assertTrue(twice.err().contains("already mounted"), twice.toString());
        assertEquals("second", toolOk(proj, "cat", mnt.resolve("latest/data/a.txt").toString()));
    }
}
