package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.remote.RemoteSpec;
import verso.repo.RepoConfig;
import verso.repo.Repository;

@Command(name = "remote", mixinStandardHelpOptions = true,
        description = {"Configure remotes (s3://bucket/prefix or a directory path) in .verso/config.",
                "Only the configuration changes; nothing is contacted."},
        subcommands = {RemoteCommand.Add.class, RemoteCommand.ListRemotes.class, RemoteCommand.Remove.class,
                RemoteCommand.Default.class})
final class RemoteCommand implements Runnable {
    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a remote.")
    static final class Add implements Callable<Integer> {
        @ParentCommand
        RemoteCommand parent;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "URL", description = "s3://bucket/prefix or a directory path.")
        String url;

        @Option(names = {"-d", "--default"}, description = "Make it the default remote.")
        boolean makeDefault;

        @Option(names = "--endpoint", paramLabel = "URL", description = "S3 endpoint (S3-compatible servers).")
        String endpoint;

        @Option(names = "--region", paramLabel = "R", description = "S3 region.")
        String region;

        @Option(names = "--path-style", description = "Use path-style S3 addressing.")
        boolean pathStyle;

        @Override
        public Integer call() throws Exception {
            RemoteSpec spec = new RemoteSpec(name, url, endpoint, region, pathStyle).validate();
            try (Repository repo = parent.main.openRepository()) {
                RepoConfig c = repo.updateConfig(old -> old.withRemote(spec, makeDefault));
                System.out.println("added remote " + name + " " + url + (name.equals(c.defaultRemote())
                        ? " (default)" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List remotes.")
    static final class ListRemotes implements Callable<Integer> {
        @ParentCommand
        RemoteCommand parent;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = parent.main.openRepository()) {
                String def = repo.config().defaultRemoteSpec().map(RemoteSpec::name).orElse(null);
                for (RemoteSpec r : repo.config().remotes()) {
                    StringBuilder sb = new StringBuilder(r.name()).append('\t').append(r.url());
                    if (r.endpoint() != null) {
                        sb.append("  endpoint=").append(r.endpoint());
                    }
                    if (r.region() != null) {
                        sb.append("  region=").append(r.region());
                    }
                    if (r.pathStyle()) {
                        sb.append("  path-style");
                    }
                    if (r.name().equals(def)) {
                        sb.append("  (default)");
                    }
                    System.out.println(sb);
                }
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a remote from the config.")
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        RemoteCommand parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = parent.main.openRepository()) {
                repo.updateConfig(old -> old.withoutRemote(name));
                System.out.println("removed remote " + name);
            }
            return 0;
        }
    }

    @Command(name = "default", mixinStandardHelpOptions = true, description = "Make NAME the default remote.")
    static final class Default implements Callable<Integer> {
        @ParentCommand
        RemoteCommand parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = parent.main.openRepository()) {
                repo.updateConfig(old -> old.withDefaultRemote(name));
                System.out.println("default remote is now " + name);
            }
            return 0;
        }
    }
}
