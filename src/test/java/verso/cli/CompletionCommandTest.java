package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

final class CompletionCommandTest {
    @TempDir
    Path dir;

    @Test
    void completion_sourcedInBash_completesSubcommandsAndOptions() throws Exception {
        Result script = VersoProcess.verso(dir, "completion");
        assertEquals(0, script.exit(), script.toString());
        Files.writeString(dir.resolve("verso-completion.bash"), script.out());
        String probe = """
                source ./verso-completion.bash 2>/dev/null
                complete -p verso
                COMP_WORDS=(verso c); COMP_CWORD=1; COMP_LINE="verso c"; COMP_POINT=7
                _complete_verso 2>/dev/null; echo "subcommands: ${COMPREPLY[*]}"
                COMP_WORDS=(verso gc --w); COMP_CWORD=2; COMP_LINE="verso gc --w"; COMP_POINT=12
                _complete_verso 2>/dev/null; echo "gc options: ${COMPREPLY[*]}"
                """;
        Result r = VersoProcess.run(dir, List.of("bash", "-c", probe));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("-F _complete_verso verso"), r.out());
        String subcommands = r.out().lines().filter(l -> l.startsWith("subcommands:")).findFirst().orElse("");
        for (String name : List.of("commit", "checkout", "completion")) {
            assertTrue(List.of(subcommands.split(" ")).contains(name), r.out());
        }
        assertTrue(r.out().contains("gc options: --workspace"), r.out());
    }

    @Test
    void version_printsTheVersion() throws Exception {
        Result r = VersoProcess.verso(dir, "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().matches("verso \\d+\\.\\d+\\.\\d+.*\\s*"), r.out());
    }
}
