package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.Checkout;
import verso.repo.Repository;
import verso.store.ObjectId;

@Command(name = "checkout", mixinStandardHelpOptions = true,
        description = {"Make the workspace match VERSION, or what the pointer files name.",
                "VERSION is an id, short id or tag: its files are written, files it does not",
                "have removed, and the pointer files rewritten. Without VERSION, what the",
                "pointer files name is restored (for example after git checkout REV --",
                "PATH.verso). Refuses to overwrite uncommitted changes unless --force. Objects",
                "the cache lacks are fetched from the default remote."})
final class CheckoutCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(arity = "0..1", paramLabel = "VERSION", description = "The version to check out.")
    String version;

    @Option(names = {"-f", "--force"}, description = "Discard uncommitted changes in the way.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            ObjectId id = version == null ? null : repo.versions().resolve(version);
            try (RemoteWiring.LazyFetcher fetcher = RemoteWiring.fetcher(repo)) {
                report(repo.checkout(id, force, fetcher, TerminalProgress.forConsole()));
            }
        }
        return 0;
    }

    static void report(Checkout.Result r) {
        ObjectId id = r.version();
        for (String p : r.untouched()) {
            System.err.println("verso: " + p + " is not in version " + id.shortHex() + "; left as it is");
        }
        String what = id == null ? "the pointer files" : "version " + id.shortHex();
        System.out.println("checked out " + what + ": " + r.written() + " written, " + r.removed() + " removed");
    }
}
