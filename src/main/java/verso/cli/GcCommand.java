package verso.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import verso.repo.GarbageCollector;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.repo.VersionLog;
import verso.sync.CloudCollector;
import verso.sync.RemoteVersions;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Delete cached objects that are not needed, and with --cloud, unreferenced remote ones.",
                "--workspace keeps what the workspace uses (pointer files and the current",
                "version); --all-versions keeps every version.",
                "Objects of a version that the default remote lacks are never deleted without",
                "--force: gc lists those versions; push them first.",
                "--cloud also deletes the objects on a remote (-r NAME, or the default) that no",
                "version on that remote references and that were written more than --grace ago;",
                "it may be given alone to clean only the remote. It holds the remote's lock:",
                "while another clone pushes, it stops and says so, and no push starts while it",
                "deletes."})
final class GcCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class Mode {
        @Option(names = {"-w", "--workspace"}, required = true, description = "Keep only what the workspace uses.")
        boolean workspace;

        @Option(names = {"-a", "--all-versions"}, required = true, description = "Keep every version's objects.")
        boolean allVersions;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Mode mode;

    @Option(names = {"-c", "--cloud"}, description = "Also delete remote objects that no version on the remote references.")
    boolean cloud;

    @Option(names = {"-r", "--remote"}, paramLabel = "NAME", description = "The remote for --cloud (default: the default remote).")
    String remoteName;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "1d", converter = DurationOption.class,
            description = "With --cloud, keep unreferenced objects written less than this long ago, such as "
                    + "those of a push by a client that takes no lock (default: ${DEFAULT-VALUE}; 0 for none; "
                    + "e.g. 30m, 12h, 7d).")
    Duration grace;

    @Option(names = {"-n", "--dry-run"}, description = "Show what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = {"-f", "--force"}, description = "Also delete objects of versions no remote has (data loss).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (mode == null && !cloud) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --workspace or --all-versions (and/or --cloud)");
        }
        if ((remoteName != null || spec.commandLine().getParseResult().hasMatchedOption("--grace")) && !cloud) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-r/--remote and --grace go with --cloud");
        }
        try (Repository repo = main.openRepository()) {
            if (mode != null) {
                local(repo);
            }
            if (cloud) {
                cloud(repo);
            }
        }
        return 0;
    }

    private void local(Repository repo) throws Exception {
        GarbageCollector.Report r = repo.gc(mode.allVersions, dryRun, force, RemoteWiring.versionsOnDefaultRemote(repo));
        for (VersionLog.Entry v : r.incomplete()) {
            System.err.println("verso: version " + v.id().shortHex() + " is incomplete here and on no remote; "
                    + "deleting nothing (use --force to delete anyway)");
        }
        if (!r.unpushed().isEmpty()) {
            System.err.println("kept " + r.kept() + " objects of versions that the default remote lacks:");
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

    private void cloud(Repository repo) throws Exception {
        try (RemoteVersions remote = RemoteWiring.remote(repo, remoteName)) {
            CloudCollector.Report r;
            try (RepoLock.Held h = repo.lock().shared()) {
                r = new CloudCollector(repo.store(), repo.versions(), remote).run(dryRun, grace);
            }
            if (dryRun) {
                r.deleted().forEach(id -> System.out.println("  " + id.hex()));
            }
            System.out.println((dryRun ? "would delete " : "deleted ") + PushCommand.plural(r.deleted().size(), "object")
                    + " from " + remote.name() + " that none of its " + PushCommand.plural(r.versions(), "version")
                    + (r.packs() > 0 ? " and " + PushCommand.plural(r.packs(), "pack") : "")
                    + " references; kept " + r.kept() + (r.young() > 0 ? " referenced and " + r.young()
                    + " written less than " + Format.duration(grace) + " ago" : ""));
        }
    }
}
