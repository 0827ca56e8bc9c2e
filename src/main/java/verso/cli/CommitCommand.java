package verso.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.Recorder;
import verso.repo.Repository;

@Command(name = "commit", mixinStandardHelpOptions = true,
        description = {"Record a new version of every tracked path (found by their PATH.verso files).",
                "Changed content is stored; pointer files are updated. If nothing changed since",
                "the current version, says so and records nothing.",
                "With PATHs (files or folders inside tracked paths), only those are read; the",
                "rest is recorded as the pointer files name it, as git commit PATH does. This",
                "spares reading every file's metadata when you know what changed in a tree of",
                "millions of files."})
final class CommitCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-m", "--message"}, paramLabel = "MSG", description = "What this version is.")
    String message = "";

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Read only these paths (default: every tracked path, whole).")
    List<String> paths = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            Recorder.CommitResult r = repo.commit(message, main.cwd(), paths,
                    TerminalProgress.forConsole());
            for (String s : r.skipped()) {
                System.err.println("verso: skipped " + s + " (not a file, directory or symlink)");
            }
            if (!r.changed()) {
                String head = repo.head().map(id -> id.shortHex()).orElse("?");
                System.out.println("nothing changed since version " + head + "; no new version");
            } else {
                System.out.println("committed " + r.id().shortHex() + ": " + Format.paths(r.version().paths()));
            }
        }
        return 0;
    }
}
