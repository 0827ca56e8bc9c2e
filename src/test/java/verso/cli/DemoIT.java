package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a fresh clone: {@code scripts/demo.sh} builds verso in a {@code git
 * clone} of this repository's HEAD (uncommitted changes are not in it, on purpose), starts S3Proxy,
 * plays the tutorial and must show, in this order, the original shapes read through the mount after
 * {@code gc --workspace}, the resampled shapes, and the originals restored by {@code verso pull}. With
 * {@code --from-dvc} it plays the tutorial in DVC's formats and imports that history with one command.
 */
final class DemoIT {
    private static final long TIMEOUT_MINUTES = 10;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 11, unit = TimeUnit.MINUTES)
    void demo_onAFreshClone_showsOldShapesThroughTheMountThenResampledThenRestored() throws Exception {
        checkPlainDemo(demo(), dir.resolve("tmp"));
    }

    /**
     * {@code --from-dvc}: the tutorial played the DVC way (DVC's formats), one {@code verso import dvc},
     * and each of the three commits' shapes read by numpy through the mount.
     */
    @Test
    @Timeout(value = 11, unit = TimeUnit.MINUTES)
    void demoFromDvc_importsTheHistoryThenNumpyReadsEveryVersionThroughTheMount() throws Exception {
        String out = demo("--from-dvc");
        int imported = out.indexOf("imported 3 commit(s)");
        assertTrue(imported > out.indexOf("$ verso import dvc"), out);
        assertTrue(out.indexOf("dvc_format.py gc-workspace") < imported, "the import came after dvc gc -w:\n" + out);
        int at = imported;
        for (int train : new int[] {1188, 100, 1188}) {
            at = find(out, at, "/tags/git-[0-9a-f]{7}/datasets/adrenalmnist3d\\.npz \\(" + train + ", 28, 28, 28\\)");
            at = find(out, at, "/tags/git-[0-9a-f]{7}/datasets/fracturemnist3d\\.npz \\(" + (train == 1188 ? 1027 : 100)
                    + ", 28, 28, 28\\)") + 1;
        }
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(dir.resolve("tmp").toString()),
                "demo.sh left a mount");
    }

    /** Runs scripts/demo.sh with {@code args} in a fresh clone of HEAD; returns its output, which must end in success. */
    private String demo(String... args) throws Exception {
        Path clone = dir.resolve("verso");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        String top = run(Path.of(System.getProperty("user.dir")), List.of("git", "rev-parse", "--show-toplevel"))
                .strip();
        run(dir, List.of("git", "clone", "-q", "--no-hardlinks", top, clone.toString()));

        Path log = dir.resolve("demo.log");
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/demo.sh"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(clone.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("TMPDIR", tmp.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroy(); // SIGTERM: the demo's trap unmounts and stops its server
                p.waitFor(60, TimeUnit.SECONDS);
                fail("demo.sh did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + tail(log));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroyForcibly();
            unmountLeftovers(tmp);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "demo.sh failed:\n" + out);
        return out;
    }

    private static void checkPlainDemo(String out, Path tmp) throws Exception {
        int old = find(out, 0, "/versions/[0-9a-f]{4,64}/datasets/adrenalmnist3d\\.npz \\(1188, 28, 28, 28\\)");
        find(out, 0, "/versions/[0-9a-f]{4,64}/datasets/fracturemnist3d\\.npz \\(1027, 28, 28, 28\\)");
        assertTrue(old > out.indexOf("$ verso gc --workspace"), "the mount was read before gc:\n" + out);
        int resampled = find(out, old, "\ndatasets/adrenalmnist3d\\.npz \\(100, 28, 28, 28\\)");
        find(out, old, "/latest/datasets/fracturemnist3d\\.npz \\(100, 28, 28, 28\\)");
        int pull = out.indexOf("$ verso pull", resampled);
        assertTrue(pull > 0, "no verso pull after the resampled shapes:\n" + out);
        find(out, pull, "\ndatasets/adrenalmnist3d\\.npz \\(1188, 28, 28, 28\\)");
        find(out, pull, "\ndatasets/fracturemnist3d\\.npz \\(1027, 28, 28, 28\\)");
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(tmp.toString()),
                "demo.sh left a mount under " + tmp);
    }

    /** The position of the first match of {@code regex} at or after {@code from}; fails if none. */
    private static int find(String out, int from, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find(from)) {
            fail("expected /" + regex + "/ after position " + from + " in the demo's output:\n" + out);
        }
        return m.start();
    }

    private static String run(Path cwd, List<String> cmd) throws IOException, InterruptedException {
        VersoProcess.Result r = VersoProcess.run(cwd, cmd);
        assertEquals(0, r.exit(), String.join(" ", cmd) + "\n" + r);
        return r.out();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    /** If the demo was killed before its trap ran, its FUSE mount would block the temp dir's deletion. */
    private static void unmountLeftovers(Path tmp) throws IOException, InterruptedException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].startsWith(tmp.toString())) {
                new ProcessBuilder("fusermount", "-u", "-z", f[1]).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
