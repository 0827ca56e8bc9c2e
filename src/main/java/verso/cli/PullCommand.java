package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.Checkout;
import verso.repo.ProgressListener;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.sync.Fetcher;
import verso.sync.RemoteVersions;

@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Bring VERSION (or what the pointer files name) from a remote and check it out.",
                "verso fetch, then verso checkout. Refuses to overwrite uncommitted changes",
                "unless --force."})
final class PullCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-r", "--remote"}, paramLabel = "NAME", description = "The remote (default: the default remote).")
    String remoteName;

    @Option(names = {"-f", "--force"}, description = "Discard uncommitted changes in the way.")
    boolean force;

    @Parameters(arity = "0..1", paramLabel = "VERSION", description = "The version to pull.")
    String version;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository();
             RemoteVersions remote = RemoteWiring.remote(repo, remoteName)) {
            Fetcher.Result f;
            try (RepoLock.Held h = repo.lock().shared();
                 Fetcher fetcher = RemoteWiring.fetcher(repo, remote, TerminalProgress.forConsole())) {
                f = fetcher.fetch(version, repo::workspaceEntries);
            }
            System.out.println(FetchCommand.summary(f, remote.name()));
            try (Fetcher more = RemoteWiring.fetcher(repo, remote, ProgressListener.NONE)) {
                Checkout.Result r = repo.checkout(f.version(), force, more, TerminalProgress.forConsole());
                CheckoutCommand.report(r);
            }
            RemoteWiring.printRequests(main, remote);
        }
        return 0;
    }
}
