package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import verso.cli.VersoProcess.Result;

/**
 * A project of the DVC tutorial (shared/reference/000_…) driven through real processes: a git
 * repository, two MedMNIST-shaped .npz archives generated with numpy, the tutorial's own scripts, and
 * verso. {@code env} is added to every process (an S3 server's credentials and endpoint).
 */
final class TutorialProject {
    /** Training-set shapes of the generated archives, then after {@link #TRAIN_RESAMPLE}. */
    static final int ADRENAL_TRAIN = 1188;
    static final int FRACTURE_TRAIN = 1027;
    static final int RESAMPLED_TRAIN = 100;

    /** The tutorial's own scripts, verbatim, and the generator of its two archives (scripts/tutorial/). */
    static final String TRAIN_SHAPE = script("train_shape.py");
    static final String TRAIN_RESAMPLE = script("train_resample.py");
    static final String GENERATE = script("make_datasets.py");

    final Path dir;
    private final Map<String, String> env;

    TutorialProject(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** Runs a command; it must succeed. */
    Result sh(String... cmd) throws Exception {
        Result r = VersoProcess.run(dir, List.of(cmd), env);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r;
    }

    /** Runs verso, whatever its exit code. */
    Result verso(String... args) throws Exception {
        return VersoProcess.run(dir, VersoProcess.versoCommand(args), env);
    }

    /** Runs verso; it must succeed. */
    Result ok(String... args) throws Exception {
        Result r = verso(args);
        assertEquals(0, r.exit(), "verso " + String.join(" ", args) + "\n" + r);
        return r;
    }

    /** git init with an identity, verso init, the datasets and the tutorial's scripts (not yet added). */
    void create() throws Exception {
        sh("git", "init", "-q");
        gitIdentity();
        ok("init");
        Files.createDirectories(dir.resolve("datasets"));
        Files.writeString(dir.resolve("generate.py"), GENERATE);
        sh("python3", "generate.py");
        Files.delete(dir.resolve("generate.py"));
        Files.writeString(dir.resolve(".gitignore"), "datasets\n");
        Files.writeString(dir.resolve("train_shape.py"), TRAIN_SHAPE);
        Files.writeString(dir.resolve("train_resample.py"), TRAIN_RESAMPLE);
    }

    void gitIdentity() throws Exception {
        sh("git", "config", "user.email", "t@example.com");
        sh("git", "config", "user.name", "t");
    }

    /** train_shape.py must print these training set sizes. */
    void assertShapes(int adrenal, int fracture) throws Exception {
        String out = sh("python3", "train_shape.py").out();
        assertTrue(out.contains("datasets/adrenalmnist3d.npz (" + adrenal + ", 28, 28, 28)"), out);
        assertTrue(out.contains("datasets/fracturemnist3d.npz (" + fracture + ", 28, 28, 28)"), out);
    }

    /** Reads a script shipped in scripts/tutorial/ (tests run in the project's directory). */
    private static String script(String name) {
        try {
            return Files.readString(Path.of("scripts", "tutorial", name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
