package verso.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.dvc.DvcImporter;
import verso.repo.Repository;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Bring the history of another tool's project into verso versions.",
        subcommands = ImportCommand.Dvc.class)
final class ImportCommand implements Runnable {
    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "dvc", mixinStandardHelpOptions = true,
            description = {"Record one version per git commit that changed what DVC tracks (.dvc files, dvc.lock).",
                    "Walks the first-parent history of HEAD oldest first; each version has the",
                    "commit's time and message, the tag git-<short id>, and the previous imported",
                    "version as parent. Data comes from the local DVC cache, else the DVC remote,",
                    "and every file is checked against DVC's md5.",
                    "Running it again imports only commits added since."})
    static final class Dvc implements Callable<Integer> {
        @ParentCommand
        ImportCommand parent;

        @Parameters(index = "0", arity = "0..1", paramLabel = "GIT-DIR",
                description = "The DVC project's folder (default: this verso project's).")
        Path dir;

        @Option(names = "--from", paramLabel = "REV", description = "Start at this commit (default: the first).")
        String from;

        @Option(names = {"-r", "--remote"}, paramLabel = "NAME|URL",
                description = "The DVC remote to read missing objects from (default: DVC's default remote).")
        String remote;

        @Option(names = "--skip-missing",
                description = "Record a version without a file whose object is missing or damaged (and say so).")
        boolean skipMissing;

        @Option(names = {"-n", "--dry-run"}, description = "List the commits that would be imported; change nothing.")
        boolean dryRun;

        @Override
        public Integer call() throws Exception {
            Main main = parent.main;
            try (Repository repo = main.openRepository()) {
                Path project = dir == null ? repo.root() : main.cwd().resolve(dir).normalize();
                // A directory given on the command line is relative to where verso runs, not to the project.
                String remoteArg = remote != null && remote.contains("/") && !remote.contains("://")
                        ? main.cwd().resolve(remote).normalize().toString() : remote;
                DvcImporter.Options o = new DvcImporter.Options(project, from, remoteArg, skipMissing, dryRun);
                DvcImporter.Report r = new DvcImporter(repo, o, new DvcImporter.Listener() {
                    @Override
                    public void imported(DvcImporter.Imported c) {
                        String what = c.version() == null ? "would import " + c.shortCommit()
                                : "imported " + c.shortCommit() + " as " + c.version().shortHex() + " [" + c.tag() + "]";
                        System.out.println(what + "  " + c.time() + "  " + c.subject());
                        System.out.println("    " + Format.paths(c.paths()));
                        System.out.flush();
                    }

                    @Override
                    public void warning(String line) {
                        System.err.println(Main.ERROR_PREFIX + "skipped " + line);
                        System.err.flush();
                    }
                }, TerminalProgress.forConsole()).run();
                String already = r.alreadyImported() == 0 ? "" : "; " + r.alreadyImported() + " imported before";
                if (r.imported() == 0) {
                    System.out.println("nothing new to import" + already);
                } else if (dryRun) {
                    System.out.println(r.imported() + " commit(s) would be imported" + already);
                } else {
                    System.out.println("imported " + r.imported() + " commit(s)" + already
                            + (r.skippedFiles() == 0 ? "" : "; " + r.skippedFiles() + " file(s) left out (see above)"));
                }
            }
            return 0;
        }
    }
}
