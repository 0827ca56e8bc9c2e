package verso.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.store.ObjectId;
import verso.sync.Pusher;
import verso.sync.RemoteVersions;

@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Send versions, with their objects and tags, to a remote.",
                "By default, every local version the remote lacks. Objects go first and the",
                "version last, so a version on a remote always has all its data. What the remote",
                "has is learned from its list of versions; an interrupted push completes when",
                "run again. A push holds the remote's lock shared, so that a gc --cloud from",
                "another clone cannot delete what it uploads."})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-r", "--remote"}, paramLabel = "NAME", description = "The remote (default: the default remote).")
    String remoteName;

    @Parameters(arity = "0..*", paramLabel = "VERSION", description = "Versions to push (ids, short ids or tags).")
    List<String> versions;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            List<ObjectId> ids = null;
            if (versions != null && !versions.isEmpty()) {
                ids = new ArrayList<>();
                for (String v : versions) {
                    ids.add(repo.versions().resolve(v));
                }
            }
            try (RemoteVersions remote = RemoteWiring.remote(repo, remoteName);
                 RepoLock.Held h = repo.lock().shared()) {
                Pusher.Result r = new Pusher(repo.store(), repo.versions(), remote, TerminalProgress.forConsole())
                        .run(ids);
                if (r.versions() == 0 && r.objects() == 0 && r.tags() == 0) {
                    System.out.println("everything is already on " + remote.name() + " (" + r.alreadyThere()
                            + " version" + (r.alreadyThere() == 1 ? "" : "s") + ")");
                } else {
                    System.out.println("pushed " + plural(r.versions(), "version") + ", " + plural(r.objects(), "object")
                            + ", " + Format.bytes(r.bytes()) + (r.tags() > 0 ? ", " + plural(r.tags(), "tag") : "")
                            + " to " + remote.name());
                }
                RemoteWiring.printRequests(main, remote);
            }
        }
        return 0;
    }

    static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
