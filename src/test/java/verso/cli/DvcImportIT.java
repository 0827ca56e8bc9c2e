package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;
import verso.remote.S3Remote;
import verso.testing.DvcFixture;
import verso.testing.S3Server;

/**
 * {@code verso import dvc} through real processes: the DVC tutorial's history (add, push to S3, resample,
 * commit, push, {@code gc -w}, restore) built in DVC's formats, imported from the local DVC cache and the
 * DVC remote on S3Proxy, then every old version read by numpy through the mount; and the errors a user
 * meets, each one line.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
final class DvcImportIT {
    private static final String BUCKET = "mikemayobucket";
    private static S3Server server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(server.environment());
        env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
        return env;
    }

    private Result verso(Path dir, String... args) throws Exception {
        return VersoProcess.run(dir, VersoProcess.versoCommand(args), env(), Mounts.COMMAND_TIMEOUT);
    }

    private Result ok(Path dir, String... args) throws Exception {
        Result r = verso(dir, args);
        assertEquals(0, r.exit(), "verso " + String.join(" ", args) + "\n" + r);
        return r;
    }

    private static String sh(Path dir, String... cmd) throws Exception {
        Result r = VersoProcess.run(dir, List.of(cmd), Map.of(), Mounts.COMMAND_TIMEOUT);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r.out();
    }

    /** {@code dvc push}: every cached object to the remote under its key. */
    private static void push(DvcFixture dvc, S3Remote remote) throws Exception {
        for (Map.Entry<String, Path> e : dvc.cachedObjects().entrySet()) {
            remote.put(e.getKey(), e.getValue());
        }
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @Test
    void tutorialHistory_importedOnce_everyVersionReadByNumpyThroughTheMount() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path proj = Files.createDirectories(tmp.resolve("mnist3d"));
        DvcFixture dvc = DvcFixture.create(proj).remote("s3cache", "s3://" + BUCKET + "/mnist3d_cache/",
                server.endpoint().toString(), true);
        S3Remote remote = server.remote(BUCKET, "mnist3d_cache/");
        Files.createDirectories(proj.resolve("datasets"));
        Files.writeString(proj.resolve("generate.py"), TutorialProject.GENERATE);
        sh(proj, "python3", "generate.py");
        Files.delete(proj.resolve("generate.py"));
        Files.writeString(proj.resolve("train_shape.py"), TutorialProject.TRAIN_SHAPE);
        Files.writeString(proj.resolve("train_resample.py"), TutorialProject.TRAIN_RESAMPLE);
        dvc.add("datasets");
        String first = dvc.commit("initial commit");
        push(dvc, remote);
        sh(proj, "python3", "train_resample.py");
        dvc.add("datasets");
        String second = dvc.commit("resampled training data");
        push(dvc, remote);
        // dvc gc -w: the local cache keeps only the workspace's version
        deleteTree(dvc.cacheDir());
        dvc.add("datasets");
        // the tutorial's restore: the old .dvc file back from git, committed
        dvc.git("checkout", first, "--", "datasets.dvc");
        String third = dvc.commit("restored data");

        ok(proj, "init");
        Result dry = ok(proj, "import", "dvc", "--dry-run");
        assertTrue(dry.out().contains("3 commit(s) would be imported"), dry.toString());
        assertFalse(Files.exists(proj.resolve(".verso/dvc-import")), "a dry run writes nothing");

        Result r = ok(proj, "import", "dvc");
        assertTrue(r.out().contains("imported 3 commit(s)"), r.toString());
        for (String c : List.of(first, second, third)) {
            assertTrue(r.out().contains("[git-" + c.substring(0, 7) + "]"), r.toString());
        }
        JsonNode log = new ObjectMapper().readTree(ok(proj, "log", "--json").out());
        assertEquals(3, log.size(), log.toString());
        List<String> messages = new ArrayList<>();
        log.forEach(v -> messages.add(v.get("message").asText()));
        assertTrue(messages.containsAll(List.of("initial commit", "resampled training data", "restored data")),
                messages.toString());
        assertEquals("nothing new to import; 3 imported before\n", ok(proj, "import", "dvc").out());
        assertTrue(ok(proj, "verify").out().contains("OK"));

        Path mnt = tmp.resolve("mnt");
        Files.createDirectories(mnt);
        try (Mounts mounts = new Mounts(env())) {
            mounts.mountOk(proj, mnt);
            String shapes = "import numpy as np, sys\nfor f in sys.argv[1:]:\n"
                    + "    print(f.split('/')[-1], np.load(f)['train_images'].shape)\n";
            Map<String, Integer> adrenal = Map.of(first, TutorialProject.ADRENAL_TRAIN,
                    second, TutorialProject.RESAMPLED_TRAIN, third, TutorialProject.ADRENAL_TRAIN);
            Map<String, Integer> fracture = Map.of(first, TutorialProject.FRACTURE_TRAIN,
                    second, TutorialProject.RESAMPLED_TRAIN, third, TutorialProject.FRACTURE_TRAIN);
            for (String c : List.of(first, second, third)) {
                Path d = mnt.resolve("tags").resolve("git-" + c.substring(0, 7)).resolve("datasets");
                String out = Mounts.toolOk(proj, "python3", "-c", shapes, d.resolve("adrenalmnist3d.npz").toString(),
                        d.resolve("fracturemnist3d.npz").toString());
                assertTrue(out.contains("adrenalmnist3d.npz (" + adrenal.get(c) + ", 28, 28, 28)"), c + ": " + out);
                assertTrue(out.contains("fracturemnist3d.npz (" + fracture.get(c) + ", 28, 28, 28)"), c + ": " + out);
            }
            ok(proj, "umount", mnt.toString());
        }
    }

    @Test
    void errors_oneLineWithCommitAndPath_skipMissingAndADirectoryRemote() throws Exception {
        Path proj = Files.createDirectories(tmp.resolve("p"));
        DvcFixture dvc = DvcFixture.create(proj);
        dvc.write("data/a.bin", new byte[] {1, 2, 3});
        dvc.write("data/b.bin", new byte[] {4, 5});
        dvc.add("data");
        String c = dvc.commit("data").substring(0, 7);
        Path b = dvc.cachePath(DvcFixture.md5(new byte[] {4, 5}));
        Files.write(b, new byte[] {4, 6});
        ok(proj, "init");

        Result bad = verso(proj, "import", "dvc");
        assertEquals(1, bad.exit(), bad.toString());
        assertEquals("verso: commit " + c + ": data/b.bin (in the local cache): content does not match its md5 (the "
                + "DVC object is damaged); restore a good copy into the DVC cache, or import with --skip-missing to "
                + "leave it out\n", bad.err());

        Path store = tmp.resolve("dvcstore");
        Files.write(b, new byte[] {4, 5});
        dvc.pushTo(store);
        Files.delete(b);
        Result missing = verso(proj, "import", "dvc");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().startsWith("verso: commit " + c + ": data/b.bin: not in the local DVC cache, and no "
                + "DVC remote is configured;"), missing.toString());

        Result skipped = ok(proj, "import", "dvc", "--skip-missing");
        assertTrue(skipped.err().contains("verso: skipped commit " + c + ": data/b.bin"), skipped.toString());
        assertTrue(skipped.out().contains("1 file(s) left out"), skipped.toString());

        Path other = Files.createDirectories(tmp.resolve("q"));
        ok(other, "init");
        Path sub = Files.createDirectories(other.resolve("sub"));
        Result fromRemote = ok(sub, "import", "dvc", proj.toString(), "--remote", "../../dvcstore");
        assertTrue(fromRemote.out().contains("data (2 files, 5 B)"), fromRemote.toString());

        Result notDvc = verso(other, "import", "dvc");
        assertEquals(1, notDvc.exit());
        assertTrue(notDvc.err().startsWith("verso: ") && notDvc.err().endsWith("give the folder where dvc init was run\n"),
                notDvc.toString());
    }
}
