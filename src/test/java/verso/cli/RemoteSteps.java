package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import verso.cli.VersoProcess.Result;
import verso.remote.Remote;

/**
 * The two steps that put a project's history on its remote and then empty its local cache of
 * everything the workspace does not use: what {@code verso push} and {@code verso gc --workspace}
 * do. {@link #push} copies the repository layout with the {@link Remote} API (objects, then
 * versions, then tags, in the order push publishes them); {@link #gcWorkspace} runs
 * {@code verso gc --workspace --force}, since gc cannot yet see that the remote has the versions.
 * Once those commands exist, these two bodies become {@code verso push} and {@code verso gc
 * --workspace} and the tests stay as they are.
 */
final class RemoteSteps {
    private RemoteSteps() {
    }

    /** Puts every object, version and tag of {@code project}'s {@code .verso/} on {@code remote}. */
    static void push(Path project, Remote remote) throws IOException {
        Path verso = project.resolve(".verso");
        for (String dir : List.of("cache/objects", "versions", "tags")) {
            Path root = verso.resolve(dir);
            if (!Files.isDirectory(root)) {
                continue;
            }
            String prefix = dir.startsWith("cache/") ? "objects/" : dir + "/";
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    try {
                        remote.put(prefix + root.relativize(f).toString(), f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** Deletes the cached objects the workspace does not use. */
    static void gcWorkspace(Path project, Mounts mounts) throws IOException, InterruptedException {
        Result r = mounts.verso(project, "gc", "--workspace", "--force");
        assertEquals(0, r.exit(), "verso gc\n" + r);
    }
}
