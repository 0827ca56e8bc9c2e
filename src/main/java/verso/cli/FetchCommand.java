package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.sync.Fetcher;
import verso.sync.RemoteVersions;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Copy a remote's versions and tags here, and the objects of VERSION into the cache.",
                "Without VERSION, the objects of what the pointer files name (like dvc fetch).",
                "Every object is verified before it enters the cache. The workspace is not",
                "touched."})
final class FetchCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-r", "--remote"}, paramLabel = "NAME", description = "The remote (default: the default remote).")
    String remoteName;

    @Parameters(arity = "0..1", paramLabel = "VERSION", description = "The version whose data to fetch.")
    String version;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository();
             RemoteVersions remote = RemoteWiring.remote(repo, remoteName);
             RepoLock.Held h = repo.lock().shared();
             Fetcher f = RemoteWiring.fetcher(repo, remote, TerminalProgress.forConsole())) {
            System.out.println(summary(f.fetch(version, repo::workspaceEntries), remote.name()));
            RemoteWiring.printRequests(main, remote);
        }
        return 0;
    }

    static String summary(Fetcher.Result r, String remote) {
        StringBuilder sb = new StringBuilder("fetched ");
        if (r.versions() > 0) {
            sb.append(PushCommand.plural(r.versions(), "version")).append(", ");
        }
        if (r.tags() > 0) {
            sb.append(PushCommand.plural(r.tags(), "tag")).append(", ");
        }
        sb.append(PushCommand.plural(r.objects(), "object")).append(", ").append(Format.bytes(r.bytes()))
                .append(" from ").append(remote);
        if (r.objects() == 0) {
            sb.append(" (the cache already had the data)");
        }
        return sb.toString();
    }
}
