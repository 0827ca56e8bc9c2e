package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import verso.repo.RepositoryVerifier;
import verso.repo.Repository;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Re-hash every object in the cache, decode every tree and block index, and check every",
                "reference of every version. Exits 1 if anything is wrong."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            RepositoryVerifier.Report r = repo.verify(RemoteWiring.versionsOnDefaultRemote(repo));
            r.notes().forEach(n -> System.out.println("note: " + n));
            r.problems().forEach(p -> System.out.println("problem: " + p));
            String summary = "checked " + r.objects() + " objects and " + r.versions() + " versions: ";
            if (r.ok()) {
                System.out.println(summary + "OK");
                return 0;
            }
            System.out.println(summary + r.problems().size() + " problem(s)");
            System.err.println("verso: the repository has " + r.problems().size()
                    + " problem(s) (listed above); restore damaged objects from a remote or another clone");
            return Main.USER_ERROR;
        }
    }
}
