package verso.cli;

import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import verso.remote.RemoteException;
import verso.repo.Repository;
import verso.repo.RepositoryVerifier;
import verso.store.ObjectId;
import verso.sync.RemoteVerifier;
import verso.sync.RemoteVersions;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check every object and reference in the cache, or with --remote NAME on a remote.",
                "Re-hashes every object, decodes every tree and block index, and checks every",
                "reference of every version. Exits 1 if anything is wrong."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--remote", paramLabel = "NAME",
            description = "Check remote NAME instead: download and re-hash every object, check every reference.")
    String remote;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            if (remote != null) {
                return verifyRemote(repo);
            }
            Predicate<ObjectId> onRemote;
            try {
                onRemote = RemoteWiring.versionsOnDefaultRemote(repo);
            } catch (RemoteException e) {
                System.err.println("verso: cannot list the default remote (" + e.getMessage()
                        + "); checking as if no version were pushed");
                onRemote = id -> false;
            }
            RepositoryVerifier.Report r = repo.verify(onRemote);
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

    private int verifyRemote(Repository repo) throws Exception {
        try (RemoteVersions r = RemoteWiring.remote(repo, remote)) {
            RemoteVerifier.Report rep = new RemoteVerifier(r).run();
            rep.notes().forEach(n -> System.out.println("note: " + n));
            rep.problems().forEach(p -> System.out.println("problem: " + p));
            String summary = "checked " + rep.objects() + " objects and " + rep.versions() + " versions on " + r.name()
                    + ": ";
            if (rep.ok()) {
                System.out.println(summary + "OK");
                return 0;
            }
            System.out.println(summary + rep.problems().size() + " problem(s)");
            System.err.println("verso: remote " + r.name() + " has " + rep.problems().size()
                    + " problem(s) (listed above); push the affected versions again from a clone that has them");
            return Main.USER_ERROR;
        }
    }
}
