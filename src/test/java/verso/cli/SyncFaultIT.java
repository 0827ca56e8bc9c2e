package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;
import verso.remote.S3Remote;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.testing.S3Server;

/**
 * Faults against a real S3 server on 127.0.0.1, through real verso processes: the server stopped in
 * the middle of a push (then the push re-run), wrong credentials, a missing bucket, an unreachable
 * endpoint, a corrupted object on the remote (caught by fetch and verify --remote), and gc --cloud.
 */
final class SyncFaultIT {
    private static final String BUCKET = "faults";

    @TempDir
    Path dir;
    @TempDir
    Path other;
    S3Server s3;
    TutorialProject p;

    @BeforeEach
    void setUp() throws Exception {
        s3 = S3Server.start().createBucket(BUCKET);
        p = new TutorialProject(dir, s3.environment());
        p.ok("init");
        p.ok("remote", "add", "s3", "s3://" + BUCKET + "/cache", "--default");
    }

    @AfterEach
    void tearDown() {
        s3.close();
    }

    private void data(int files, int size) throws Exception {
        Random r = new Random(files);
        byte[] b = new byte[size];
        for (int i = 0; i < files; i++) {
            r.nextBytes(b);
            Path f = dir.resolve("data/d" + (i % 10) + "/f" + i + ".bin");
            Files.createDirectories(f.getParent());
            Files.write(f, b);
        }
        p.ok("add", "data");
        p.ok("commit", "-m", "data");
    }

    private static void oneLineError(Result r, String expected) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("verso: ") && r.err().contains(expected), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
    }

    private long remoteFiles() throws Exception {
        try (Stream<Path> s = Files.walk(s3.directory().resolve(BUCKET))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void push_serverStoppedMidway_failsInOneLine_andCompletesWhenRunAgain() throws Exception {
        data(600, 64 << 10);
        Path out = Files.createTempFile(dir, "push", ".out");
        Path err = Files.createTempFile(dir, "push", ".err");
        ProcessBuilder pb = new ProcessBuilder(VersoProcess.versoCommand("push")).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(s3.environment());
        Process push = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // the push's lock is its first write: its uploads (two packs) follow
        while (remoteFiles() < 1 && push.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        s3.stop();
        long stopped = System.nanoTime();
        assertTrue(push.waitFor(60, TimeUnit.SECONDS));
        long failedAfter = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopped);
        Result r = new Result(push.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        oneLineError(r, "127.0.0.1");
        assertTrue(failedAfter < 30, "failed after " + failedAfter + " s");
        assertTrue(p.ok("log", "--json").out().contains("\"data\""));

        s3.restart();
        assertTrue(p.ok("push").out().startsWith("pushed 1 version, "));
        assertTrue(p.ok("verify", "--remote", "s3").out().contains("on s3: OK"));
    }

    @Test
    void wrongCredentials_missingBucket_unreachable_areOneLineQuickly() throws Exception {
        data(3, 1000);
        Map<String, String> env = new HashMap<>(s3.environment());
        env.put("AWS_SECRET_ACCESS_KEY", "wrong");
        long t0 = System.nanoTime();
        Result wrong = VersoProcess.run(dir, VersoProcess.versoCommand("push"), env);
        oneLineError(wrong, "refused the credentials");
        p.ok("remote", "add", "nobucket", "s3://no-such-bucket/x");
        oneLineError(p.verso("push", "-r", "nobucket"), "does not exist");
        p.ok("remote", "add", "down", "s3://" + BUCKET + "/x", "--endpoint", "http://127.0.0.1:9");
        oneLineError(p.verso("fetch", "-r", "down"), "127.0.0.1:9");
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 60);
    }

    @Test
    void corruptRemoteObject_isCaughtByFetchAndVerify_andGcCloudRemovesOnlyStrays() throws Exception {
        data(4, 10 << 20);
        p.ok("push");
        S3Remote raw = s3.remote(BUCKET, "cache/");
        // a block: 4 MiB exactly, in objects/
        String[] block = {null};
        raw.list("objects/", f -> {
            if (block[0] == null && f.size() == 4 << 20) {
                block[0] = f.key();
            }
        });
        assertTrue(block[0] != null);
        String hex = block[0].substring("objects/".length()).replace("/", "");
        byte[] bad = raw.getBytes(block[0]);
        bad[12345] ^= 1;
        raw.put(block[0], bad);

        TutorialProject c = new TutorialProject(other, s3.environment());
        c.ok("init");
        c.ok("remote", "add", "s3", "s3://" + BUCKET + "/cache", "--default");
        String id = new ObjectMapper().readTree(p.ok("log", "--json").out()).get(0).get("id").asText();
        Result fetch = c.verso("fetch", id);
        oneLineError(fetch, hex);
        assertTrue(fetch.err().contains("corrupt"), fetch.toString());
        assertFalse(Files.exists(other.resolve(".verso/cache/objects/" + hex.substring(0, 2) + "/" + hex.substring(2))));
        try (Stream<Path> tmp = Files.list(other.resolve(".verso/cache/tmp"))) {
            assertEquals(0, tmp.count());
        }
        Result verify = c.verso("verify", "--remote", "s3");
        assertEquals(1, verify.exit(), verify.toString());
        assertTrue(verify.out().contains("problem: corrupt object " + hex), verify.toString());

        // repair by pushing again from the clone that has a good copy? The remote already "has" the version,
        // so put the good block back through the raw remote, as an operator would.
        raw.put(block[0], dir.resolve(".verso/cache/objects/" + hex.substring(0, 2) + "/" + hex.substring(2)));
        byte[] stray = "not referenced by any version".getBytes(StandardCharsets.UTF_8);
        ObjectId strayId = Hashing.hash(stray);
        raw.put("objects/" + strayId.fanoutPath(), stray);
        long files = remoteFiles();
        Result young = c.ok("gc", "--cloud");
        assertTrue(young.out().contains("deleted 0 objects from s3") && young.out().contains("1 written less than 1d ago"),
                young.out());
        // The server stamps times of writing to the second: let the stray be older than gc's lock.
        Thread.sleep(2000);
        Result dry = c.ok("gc", "--cloud", "--dry-run", "--grace", "0");
        assertTrue(dry.out().contains(strayId.hex()) && dry.out().contains("would delete 1 object from s3"), dry.out());
        assertEquals(files, remoteFiles());
        Result gc = c.ok("gc", "--cloud", "--grace", "0");
        assertTrue(gc.out().contains("deleted 1 object from s3"), gc.out());
        assertFalse(raw.exists("objects/" + strayId.fanoutPath()));
        assertTrue(c.ok("verify", "--remote", "s3").out().contains("OK"));
        c.ok("pull", id);
        assertEquals(-1, Files.mismatch(dir.resolve("data/d0/f0.bin"), other.resolve("data/d0/f0.bin")));
    }

    @Test
    void gcCloud_andPush_whileAnotherClientHoldsTheRemoteLock_areRefusedInOneLine() throws Exception {
        data(3, 1000);
        S3Remote raw = s3.remote(BUCKET, "cache/");
        String holder = "{\"kind\": \"shared\", \"command\": \"push\", \"host\": \"elsewhere\", \"pid\": 7}";
        raw.put("locks/other-push", holder.getBytes(StandardCharsets.UTF_8));
        Result gc = p.verso("gc", "--cloud", "--grace", "0");
        oneLineError(gc, "locked by push on elsewhere (pid 7)");
        assertTrue(p.ok("push").out().startsWith("pushed 1 version, "));
        raw.put("locks/other-gc", holder.replace("shared", "exclusive").replace("push", "gc --cloud")
                .getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("data/more.txt"), "more");
        p.ok("commit", "-m", "more");
        oneLineError(p.verso("push"), "locked by gc --cloud on elsewhere (pid 7)");
        raw.delete("locks/other-gc");
        raw.delete("locks/other-push");
        assertTrue(p.ok("push").out().startsWith("pushed 1 version, "));
        assertTrue(p.ok("gc", "--cloud").out().contains("deleted 0 objects"));
        Set<String> left = new HashSet<>();
        raw.list("locks/", f -> left.add(f.key()));
        assertEquals(Set.of(), left);
    }
}
