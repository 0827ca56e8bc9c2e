package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
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

    @Test
    void tutorial_localSteps_restoreTheOriginalDatasets() throws Exception {
        TutorialProject p = new TutorialProject(dir, Map.of());
        p.create();
        p.ok("add", "datasets");
        p.sh("git", "add", ".verso/config", ".gitignore", "datasets.verso", "train_shape.py", "train_resample.py");
        p.sh("git", "commit", "-q", "-m", "initial commit");
        String first = p.sh("git", "rev-parse", "HEAD").out().strip();
        assertTrue(p.ok("commit", "-m", "original datasets").out().startsWith("committed "));

        p.assertShapes(1188, 1027);
        p.sh("python3", "train_resample.py");
        p.assertShapes(100, 100);
        Result status = p.ok("status");
        assertTrue(status.out().contains("M datasets/adrenalmnist3d.npz"), status.out());
        assertTrue(p.ok("commit", "-m", "resampled").out().startsWith("committed "));

        Result gc = p.ok("gc", "--workspace");
        assertTrue(gc.out().contains("deleted 0 objects"), gc.toString());
        assertTrue(gc.err().contains("original datasets"), gc.toString());
        p.assertShapes(100, 100);
        p.sh("git", "add", "datasets.verso");
        p.sh("git", "commit", "-q", "-m", "resampled training data");

        p.sh("git", "checkout", first, "--", "datasets.verso");
        p.ok("checkout");
        p.assertShapes(1188, 1027);
        assertTrue(p.ok("commit", "-m", "restored data").out().startsWith("committed "));
        p.sh("git", "commit", "-q", "-am", "restored data");
        assertEquals(3, p.ok("log", "--json").out().split("\"parent\"").length - 1);
        assertTrue(p.ok("status").out().contains("nothing to commit"));
        assertTrue(p.ok("verify").out().contains("OK"));
    }
}
