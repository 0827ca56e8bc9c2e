package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.testing.S3Server;

/**
 * The S3 steps of the DVC tutorial (shared/reference/000_…) with verso against a real S3-compatible
 * server on 127.0.0.1: push, resample, commit, push, gc --workspace (the old data leaves the cache
 * because the remote has it), the old pointer file from git, pull, and numpy reads the original shapes.
 * Then a second clone, and a fresh repository on the same remote, see both versions and pull either.
 */
final class SyncIT {
    private static S3Server s3;

    @TempDir
    Path dir;
    @TempDir
    Path clone;
    @TempDir
    Path fresh;

    @BeforeAll
    static void startServer() {
        s3 = S3Server.start().createBucket("mikemayobucket");
    }

    @AfterAll
    static void stopServer() {
        s3.close();
    }

    /** The objects a project's store holds, loose or packed. */
    private static long storedObjects(Path project) throws Exception {
        Set<ObjectId> ids = new HashSet<>();
        new ObjectStore(project.resolve(".verso/cache")).forEach(ids::add);
        return ids.size();
    }

    @Test
    void tutorial_s3Steps_pushGcPull_andOtherClonesSeeBothVersions() throws Exception {
        TutorialProject p = new TutorialProject(dir, s3.environment());
        p.create();
        p.ok("remote", "add", "s3cache", "s3://mikemayobucket/mnist3d_cache/", "--default");
        p.ok("add", "datasets");
        p.sh("git", "add", ".verso/config", ".verso/.gitignore", ".gitignore", "datasets.verso", "train_shape.py",
                "train_resample.py");
        p.sh("git", "commit", "-q", "-m", "initial commit");
        String first = p.sh("git", "rev-parse", "HEAD").out().strip();
        p.ok("commit", "-m", "original datasets");
        Result push1 = p.ok("push", "-r", "s3cache");
        assertTrue(push1.out().matches("pushed 1 version, \\d+ objects, .* to s3cache\\n"), push1.out());

        p.sh("python3", "train_resample.py");
        p.assertShapes(100, 100);
        p.ok("commit", "-m", "resampled");
        assertTrue(p.ok("push", "-r", "s3cache").out().startsWith("pushed 1 version, "));
        assertTrue(p.ok("push").out().startsWith("everything is already on s3cache (2 versions)"));
        p.sh("git", "add", "datasets.verso");
        p.sh("git", "commit", "-q", "-m", "resampled training data");

        long before = storedObjects(dir);
        Result gc = p.ok("gc", "--workspace");
        Matcher m = Pattern.compile("deleted (\\d+) objects").matcher(gc.out());
        assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0, gc.toString());
        assertFalse(gc.err().contains("push them"), gc.toString());
        assertEquals(before - Integer.parseInt(m.group(1)), storedObjects(dir));
        p.assertShapes(100, 100);

        p.sh("git", "checkout", first, "--", "datasets.verso");
        Result pull = p.ok("pull", "-r", "s3cache");
        assertTrue(pull.out().contains("from s3cache") && pull.out().contains("checked out the pointer files"), pull.out());
        p.ok("gc", "--workspace");
        p.assertShapes(1188, 1027);
        p.sh("git", "commit", "-q", "-am", "restored data");
        assertTrue(p.ok("verify", "--remote", "s3cache").out().contains("on s3cache: OK"));
        assertTrue(p.ok("verify").out().contains("OK"));

        JsonNode log = new ObjectMapper().readTree(p.ok("log", "--remote", "s3cache", "--json").out());
        assertEquals(2, log.size(), log.toString());
        assertEquals("resampled", log.get(0).get("message").asText());
        String resampled = log.get(0).get("id").asText();
        String original = log.get(1).get("id").asText();

        // A git clone of the project: the config (with the remote) comes with it, the data from S3.
        p.sh("git", "clone", "-q", dir.toString(), clone.toString());
        TutorialProject c = new TutorialProject(clone, s3.environment());
        Result remoteLog = c.ok("log", "--remote", "s3cache");
        assertTrue(remoteLog.out().contains("original datasets") && remoteLog.out().contains("resampled"), remoteLog.out());
        c.ok("pull");
        c.assertShapes(1188, 1027);
        c.ok("pull", resampled.substring(0, 10));
        c.assertShapes(100, 100);

        // A new directory that only knows the remote.
        TutorialProject f = new TutorialProject(fresh, s3.environment());
        f.ok("init");
        f.ok("remote", "add", "s3cache", "s3://mikemayobucket/mnist3d_cache/", "--default");
        assertEquals(2, new ObjectMapper().readTree(f.ok("log", "--remote", "s3cache", "--json").out()).size());
        Files.writeString(fresh.resolve("train_shape.py"), TutorialProject.TRAIN_SHAPE);
        f.ok("pull", original);
        f.assertShapes(1188, 1027);
        f.ok("pull", resampled);
        f.assertShapes(100, 100);
        assertTrue(f.ok("verify").out().contains("OK"));
        assertEquals(List.of(), List.of(f.ok("fetch").err().lines().toArray()));
    }
}
