package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.VersoProcess.verso;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * The local steps of the DVC tutorial (shared/reference/000_…), with verso in place of dvc: two
 * MedMNIST-shaped .npz archives, the tutorial's own scripts, resampling, commits, gc, and the old
 * pointer file restored with git, then {@code verso checkout}; numpy reads the shapes back.
 */
final class TutorialIT {
    @TempDir
    Path dir;

    private Result sh(String... cmd) throws Exception {
        Result r = VersoProcess.run(dir, List.of(cmd));
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r;
    }

    private Result ok(String... args) throws Exception {
        Result r = verso(dir, args);
        assertEquals(0, r.exit(), "verso " + String.join(" ", args) + "\n" + r);
        return r;
    }

    private void assertShapes(int adrenal, int fracture) throws Exception {
        String out = sh("python3", "train_shape.py").out();
        assertTrue(out.contains("datasets/adrenalmnist3d.npz (" + adrenal + ", 28, 28, 28)"), out);
        assertTrue(out.contains("datasets/fracturemnist3d.npz (" + fracture + ", 28, 28, 28)"), out);
    }

    @Test
    void tutorial_localSteps_restoreTheOriginalDatasets() throws Exception {
        sh("git", "init", "-q");
        sh("git", "config", "user.email", "t@example.com");
        sh("git", "config", "user.name", "t");
        ok("init");
        Files.createDirectories(dir.resolve("datasets"));
        Files.writeString(dir.resolve("generate.py"), TutorialScripts.GENERATE);
        sh("python3", "generate.py");
        Files.delete(dir.resolve("generate.py"));
        Files.writeString(dir.resolve(".gitignore"), "datasets\n");
        ok("add", "datasets");
        Files.writeString(dir.resolve("train_shape.py"), TutorialScripts.TRAIN_SHAPE);
        Files.writeString(dir.resolve("train_resample.py"), TutorialScripts.TRAIN_RESAMPLE);
        sh("git", "add", ".verso/config", ".gitignore", "datasets.verso", "train_shape.py", "train_resample.py");
        sh("git", "commit", "-q", "-m", "initial commit");
        String first = sh("git", "rev-parse", "HEAD").out().strip();
        assertTrue(ok("commit", "-m", "original datasets").out().startsWith("committed "));

        assertShapes(1188, 1027);
        sh("python3", "train_resample.py");
        assertShapes(100, 100);
        Result status = ok("status");
        assertTrue(status.out().contains("M datasets/adrenalmnist3d.npz"), status.out());
        assertTrue(ok("commit", "-m", "resampled").out().startsWith("committed "));

        Result gc = ok("gc", "--workspace");
        assertTrue(gc.out().contains("deleted 0 objects"), gc.toString());
        assertTrue(gc.err().contains("original datasets"), gc.toString());
        assertShapes(100, 100);
        sh("git", "add", "datasets.verso");
        sh("git", "commit", "-q", "-m", "resampled training data");

        sh("git", "checkout", first, "--", "datasets.verso");
        ok("checkout");
        assertShapes(1188, 1027);
        assertTrue(ok("commit", "-m", "restored data").out().startsWith("committed "));
        sh("git", "commit", "-q", "-am", "restored data");
        assertEquals(3, ok("log", "--json").out().split("\"parent\"").length - 1);
        assertTrue(ok("status").out().contains("nothing to commit"));
        assertTrue(ok("verify").out().contains("OK"));
    }
}
