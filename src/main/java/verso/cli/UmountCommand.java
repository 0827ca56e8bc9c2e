package verso.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.mount.Unmounter;

/** {@code verso umount}: see {@link Unmounter}. */
@Command(name = "umount", aliases = "unmount", mixinStandardHelpOptions = true,
        description = {"Unmount a verso mount and stop its daemon.",
                "A mount whose daemon was killed (\"Transport endpoint is not connected\") is",
                "cleared too. --force detaches a busy mount at once; it goes away when the last",
                "file open there is closed."})
final class UmountCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the versions are mounted.")
    Path mountPoint;

    @Option(names = {"-f", "--force"},
            description = "Unmount even if busy (lazily: detached now, gone when no longer in use).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        System.out.println(Unmounter.unmount(main.cwd(), mountPoint, force));
        return 0;
    }
}
