package verso.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import verso.repo.Change;
import verso.repo.Comparison;
import verso.repo.PointerFile;
import verso.repo.Repository;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what changed in the workspace since the current version, per tracked path.",
                "Only files whose size or time changed are read again."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            String head = repo.head().map(id -> id.shortHex()).orElse(null);
            System.out.println(head == null ? "no version yet" : "on version " + head);
            boolean[] seen = {false, true}; // any path, all clean
            repo.status(new Comparison.Listener() {
                @Override
                public void path(Comparison.PathStatus s) {
                    switch (s.kind()) {
                        case UNCHANGED -> System.out.println("  unchanged  " + s.path());
                        case NEW -> System.out.println("  new        " + s.path() + " (not in a version yet)");
                        case MISSING -> System.out.println("  missing    " + s.path()
                                + " (restore it with verso checkout)");
                        case UNTRACKED -> System.out.println("  untracked  " + s.path() + " (in the version, but "
                                + s.path() + PointerFile.SUFFIX + " is gone)");
                        case MODIFIED -> System.out.println("  modified   " + s.path());
                    }
                    if (s.pointerDiffers()) {
                        System.out.println("             " + s.path() + PointerFile.SUFFIX
                                + " names other content: run verso checkout to restore it, or verso commit to keep "
                                + "the workspace");
                    }
                    seen[0] = true;
                    seen[1] &= s.kind() == Comparison.Kind.UNCHANGED && !s.pointerDiffers();
                }

                @Override
                public void change(Change c) {
                    System.out.println("      " + c.code() + " " + c.path());
                }
            });
            if (!seen[0]) {
                System.out.println("nothing tracked; run verso add PATH");
                return 0;
            }
            if (seen[1]) {
                System.out.println("nothing to commit");
            } else {
                System.out.println("run verso commit to record a new version");
            }
        }
        return 0;
    }
}
