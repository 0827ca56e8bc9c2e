package verso.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.Repository;
import verso.store.ObjectId;

@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"List files added (A), removed (D) and changed (M) from V1 to V2.",
                "Without V2, compares V1 with the workspace, as git diff V1 does.",
                "Versions are ids, short ids (4+ hex digits), tags or 'head'."})
final class DiffCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "V1", description = "The older version.")
    String v1;

    @Parameters(index = "1", arity = "0..1", paramLabel = "V2", description = "The newer version (default: the workspace).")
    String v2;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            ObjectId a = repo.versions().resolve(v1);
            ObjectId b = v2 == null ? null : repo.versions().resolve(v2);
            long[] counts = new long[3]; // added, removed, changed
            repo.diff(a, b, c -> {
                System.out.println(c.code() + "\t" + c.path());
                counts[c.code() == 'A' ? 0 : c.code() == 'D' ? 1 : 2]++;
            });
            System.err.println(counts[0] + " added, " + counts[1] + " removed, " + counts[2] + " changed");
        }
        return 0;
    }
}
