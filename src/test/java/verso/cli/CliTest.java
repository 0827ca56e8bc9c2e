package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.VersoProcess.verso;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import verso.cli.VersoProcess.Result;

/** The command line as a user meets it: real processes, exit codes, one-line errors. */
final class CliTest {
    @TempDir
    Path dir;

    private static void ok(Result r) {
        assertEquals(0, r.exit(), r.toString());
    }

    private static void userError(Result r, String expected) {
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("verso: ") && r.err().contains(expected), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r);
        assertEquals(1, r.err().strip().lines().count(), r.toString());
    }

    @Test
    void errors_areOneLineWithExitCodes() throws Exception {
        userError(verso(dir, "status"), "run verso init");
        assertEquals(2, verso(dir, "commit", "--no-such-option").exit());
        ok(verso(dir, "init"));
        userError(verso(dir, "init"), "already exists");
        userError(verso(dir, "add", "../elsewhere"), "outside the project");
        userError(verso(dir, "add", "missing"), "does not exist");
        userError(verso(dir, "checkout", "abcdef"), "unknown version");
        userError(verso(dir, "remote", "add", "r", "ftp://x/y"), "unsupported remote URL");
    }

    @Test
    void help_and_version_work_forEveryCommand() throws Exception {
        Result v = verso(dir, "--version");
        ok(v);
        assertTrue(v.out().startsWith("verso "), v.out());
        for (String c : List.of("init", "add", "commit", "status", "log", "diff", "tag", "checkout", "gc", "verify",
                "remote", "push", "fetch", "pull")) {
            Result h = verso(dir, c, "--help");
            ok(h);
            assertTrue(h.out().contains("Usage: verso " + c), h.out());
        }
    }

    @Test
    void help_listsEveryCommandWithAWholeSentence() throws Exception {
        Result h = verso(dir, "--help");
        ok(h);
        String list = h.out().substring(h.out().indexOf("Commands:"));
        // Each command's summary, with the lines it wraps onto joined, is one sentence.
        String[] entries = list.substring(list.indexOf('\n') + 1).split("\n(?=  \\S)");
        assertTrue(entries.length >= 17, list);
        for (String e : entries) {
            String summary = e.strip().replaceAll("\\s+", " ");
            assertTrue(summary.endsWith("."), "summary cut short: " + summary);
        }
    }

    /**
     * A description line longer than the help's 80 columns is wrapped by picocli, and a paragraph
     * wrapped by hand at a wider width then alternates long and short lines. The first line, the
     * summary that {@code verso --help} lists, is one sentence and may wrap once.
     */
    @Test
    void help_descriptionLinesFitIn80Columns() {
        for (Class<?> c : Main.COMMANDS) {
            checkDescriptionWidth(new CommandLine(c));
        }
    }

    private static void checkDescriptionWidth(CommandLine command) {
        String[] lines = command.getCommandSpec().usageMessage().description();
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].length() < 80, "verso " + command.getCommandName() + " --help: " + lines[i]);
        }
        command.getSubcommands().values().forEach(CliTest::checkDescriptionWidth);
    }

    @Test
    void subcommands_areFoundWhateverPrecedesThem_andAMistypedOneIsNamed() throws Exception {
        ok(verso(dir, "init"));
        ok(verso(dir.getParent(), "--verbose", "-C", dir.getFileName().toString(), "status"));
        ok(verso(dir, "unmount", "--help")); // an alias
        ok(verso(dir, "help", "add"));
        Result typo = verso(dir, "stauts");
        assertEquals(2, typo.exit(), typo.toString());
        assertTrue(typo.err().contains("status"), typo.err()); // picocli's suggestion: every command is known
        Result none = verso(dir);
        ok(none);
        assertTrue(none.out().contains("checkout") && none.out().contains("mount"), none.out());
    }

    @Test
    void localWorkflow_commitCorruptVerifyGcCheckout() throws Exception {
        ok(verso(dir, "init"));
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/a.txt"), "one");
        ok(verso(dir, "add", "data"));
        Result c1 = verso(dir, "commit", "-m", "first");
        ok(c1);
        assertTrue(c1.out().startsWith("committed "), c1.out());
        Result same = verso(dir, "commit", "-m", "again");
        ok(same);
        assertTrue(same.out().contains("nothing changed"), same.out());
        Files.writeString(dir.resolve("data/a.txt"), "two");
        ok(verso(dir, "commit", "-m", "second"));
        ok(verso(dir, "tag", "v2"));

        Result log = verso(dir, "log", "--json");
        ok(log);
        assertTrue(log.out().contains("\"message\" : \"first\"") && log.out().contains("\"v2\""), log.out());

        // gc without a remote deletes nothing committed
        Result gc = verso(dir, "gc", "--workspace");
        ok(gc);
        assertTrue(gc.out().contains("deleted 0 objects"), gc.toString());
        assertTrue(gc.err().contains("first") && gc.err().contains("push"), gc.toString());

        // uncommitted work is not overwritten
        Files.writeString(dir.resolve("data/a.txt"), "precious");
        userError(verso(dir, "checkout", "v2"), "uncommitted changes in 1 file: data/a.txt");
        String firstId = log.out().replaceAll("(?s).*\"id\" : \"([0-9a-f]{64})\",\\s*\"parent\" : null.*", "$1");
        userError(verso(dir, "checkout", firstId.substring(0, 8)), "data/a.txt");
        assertEquals("precious", Files.readString(dir.resolve("data/a.txt")));
        ok(verso(dir, "checkout", "--force", firstId.substring(0, 8)));
        assertEquals("one", Files.readString(dir.resolve("data/a.txt")));

        // a corrupted object is caught by verify
        ok(verso(dir, "verify"));
        Path objects = dir.resolve(".verso/cache/objects");
        Path some;
        try (var s = Files.walk(objects)) {
            some = s.filter(Files::isRegularFile).filter(p -> !p.toString().isEmpty()).findFirst().orElseThrow();
        }
        Files.write(some, new byte[] {42});
        Result bad = verso(dir, "verify");
        assertEquals(1, bad.exit(), bad.toString());
        assertTrue(bad.out().contains("problem: corrupt object"), bad.toString());
    }
}
