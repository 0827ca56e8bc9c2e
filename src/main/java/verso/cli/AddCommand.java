package verso.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.PointerFile;
import verso.repo.Repository;

@Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Track files or directories: store their content and write PATH.verso pointer files.",
                "Each PATH is also added to .gitignore. Commit the pointer files to git; run",
                "verso commit to record a version."})
final class AddCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to track.")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            List<PointerFile> added = repo.add(main.cwd(), paths, TerminalProgress.forConsole());
            StringBuilder git = new StringBuilder("git add .gitignore");
            for (PointerFile pf : added) {
                System.out.println("added " + Format.entry(pf.entry()) + " -> " + pf.path() + PointerFile.SUFFIX);
                git.append(' ').append(pf.path()).append(PointerFile.SUFFIX);
            }
            System.out.println("To track the changes with git, run: " + git);
        }
        return 0;
    }
}
