package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * The README's five-minute walk-through, run as written: its command lines are taken from
 * README.md itself (only {@code /tmp/walkthrough} is moved into a temp dir), executed by bash with
 * {@code -e}, and the contents it prints from the mount and the workspace must be the versions the
 * comments promise. Runs the launcher {@code scripts/verso} of this checkout (built by then).
 */
final class ReadmeIT {
    private static final String START = "## Five minutes with verso";
    private static final String END = "`verso <command> --help`";

    @TempDir
    Path dir;

    private Path mnt;

    @Test
    @Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
    void walkThrough_runsAsWritten_andShowsEachVersion() throws Exception {
        Path repo = Path.of(System.getProperty("user.dir"));
        String base = dir.resolve("walkthrough").toString();
        mnt = Path.of(base + "-mnt");
        List<String> lines = walkThrough(Files.readString(repo.resolve("README.md"), StandardCharsets.UTF_8));
        assertTrue(lines.size() > 20, "the walk-through was not found in README.md: " + lines);
        StringBuilder script = new StringBuilder("set -eo pipefail\n");
        for (String line : lines) {
            script.append(line.replace("/tmp/walkthrough", base)).append('\n');
        }
        Files.writeString(dir.resolve("walkthrough.sh"), script);

        List<String> cmd = List.of("env", "GIT_AUTHOR_NAME=readme", "GIT_AUTHOR_EMAIL=readme@example.com",
                "GIT_COMMITTER_NAME=readme", "GIT_COMMITTER_EMAIL=readme@example.com",
                "bash", "-x", dir.resolve("walkthrough.sh").toString());
        Result r = VersoProcess.run(repo, cmd);
        assertEquals(0, r.exit(), r.toString());

        List<String> notes = r.out().lines().filter(l -> l.endsWith(" notes")).toList();
        // mount: tags/v1, latest; after gc: tags/v1 again (from the remote); after pull: the workspace
        assertEquals(List.of("first notes", "second notes", "first notes", "first notes"), notes, r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("M\\s+data/notes\\.txt")), "verso diff v1 shows the change:\n" + r);
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(mnt.toString()), "still mounted");
    }

    /** The indented command lines of the walk-through section, as written. */
    static List<String> walkThrough(String readme) {
        int from = readme.indexOf(START);
        int to = readme.indexOf(END, from);
        List<String> out = new ArrayList<>();
        if (from < 0 || to < 0) {
            return out;
        }
        for (String line : readme.substring(from, to).split("\n")) {
            if (line.startsWith("    ") && !line.isBlank()) {
                out.add(line.substring(4));
            }
        }
        return out;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mnt != null && Files.readString(Path.of("/proc/self/mounts")).contains(mnt.toString())) {
            VersoProcess.run(dir, List.of("fusermount", "-u", "-z", mnt.toString()));
        }
    }
}
