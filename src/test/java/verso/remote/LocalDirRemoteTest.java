package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class LocalDirRemoteTest extends RemoteContractTest {
    @Override
    protected Remote newRemote() throws IOException {
        return new LocalDirRemote(Files.createDirectories(tmp.resolve("remote")));
    }

    @Test
    void put_leavesTheRepositoryLayoutAndNoTempFiles() throws IOException {
        remote.put("objects/ab/cdef", new byte[] {1, 2});
        remote.put("objects/ab/cdef", tmp.resolve("remote/objects/ab/cdef"));
        Path root = tmp.resolve("remote");
        assertEquals(2, Files.size(root.resolve("objects/ab/cdef")));
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = new ArrayList<>();
            files.filter(Files::isRegularFile).forEach(p -> names.add(root.relativize(p).toString()));
            assertEquals(List.of("objects/ab/cdef"), names);
        }
    }

    @Test
    void list_skipsTempFilesOfAnInterruptedPut() throws IOException {
        remote.put("versions/v1", new byte[] {1});
        Files.write(tmp.resolve("remote/versions/" + LocalDirRemote.TEMP_PREFIX + "x"), new byte[] {2});
        List<String> keys = new ArrayList<>();
        remote.list("versions/", f -> keys.add(f.key()));
        assertEquals(List.of("versions/v1"), keys);
    }

    @Test
    void keys_thatEscapeTheRootAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> remote.put("../outside", new byte[] {1}));
        assertThrows(IllegalArgumentException.class, () -> remote.get("/etc/passwd", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> remote.exists("objects/../../x"));
    }
}
