package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import verso.repo.Repository;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create a verso repository (.verso/) in the current directory.",
                "Works inside a git repository or without one; commit .verso/config to git to",
                "share remotes."})
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = Repository.init(main.cwd())) {
            System.out.println("Initialized empty verso repository in " + repo.versoDir());
            System.out.println("Next: verso add PATH, then verso commit -m MESSAGE");
        }
        return 0;
    }
}
