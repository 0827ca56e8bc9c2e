package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import verso.repo.GarbageCollector;
import verso.repo.Repository;
import verso.repo.VersionLog;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Delete cached objects that are not needed. --workspace keeps what the workspace uses",
                "(pointer files and the current version); --all-versions keeps every version.",
                "Objects of a version that no remote has are never deleted without --force: gc lists those",
                "versions; push them first."})
final class GcCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    static final class Mode {
        @Option(names = {"-w", "--workspace"}, required = true, description = "Keep only what the workspace uses.")
        boolean workspace;

        @Option(names = {"-a", "--all-versions"}, required = true, description = "Keep every version's objects.")
        boolean allVersions;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = {"-n", "--dry-run"}, description = "Show what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = {"-f", "--force"}, description = "Also delete objects of versions no remote has (data loss).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            GarbageCollector.Report r = repo.gc(mode.allVersions, dryRun, force,
                    RemoteWiring.versionsOnDefaultRemote(repo));
            for (VersionLog.Entry v : r.incomplete()) {
                System.err.println("verso: version " + v.id().shortHex() + " is incomplete here and on no remote; "
                        + "deleting nothing (use --force to delete anyway)");
            }
            if (!r.unpushed().isEmpty()) {
                System.err.println("kept " + r.kept() + " objects of versions that no remote has:");
                for (VersionLog.Entry v : r.unpushed()) {
                    System.err.println("  " + v.id().shortHex() + "  " + v.version().time() + "  "
                            + v.version().message());
                }
                System.err.println("push them with verso push (or use gc --force to delete them anyway)");
            }
            String verb = dryRun ? "would delete " : "deleted ";
            System.out.println(verb + r.deleted().size() + " objects (" + Format.bytes(r.deletedBytes()) + ")"
                    + (r.tempFiles() > 0 ? " and " + r.tempFiles() + " leftover temp files" : ""));
            if (dryRun && main.verbose) {
                r.deleted().forEach(id -> System.out.println("  " + id.hex()));
            }
        }
        return 0;
    }
}
