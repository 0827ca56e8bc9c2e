package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import verso.cli.VersoProcess.Result;

/**
 * docs/commands.md quotes every command's {@code --help}; this fails when a help text changed and the
 * page was not regenerated with {@code scripts/gen-command-docs.sh}, so the page cannot drift.
 */
final class CommandsDocIT {
    @Test
    void commandsPage_matchesTheHelpOfThisBuild() throws Exception {
        Path repo = Path.of(System.getProperty("user.dir"));
        Result r = VersoProcess.run(repo, List.of("bash", "scripts/gen-command-docs.sh", "--check"));
        assertEquals(0, r.exit(), r.toString());
    }
}
