package verso.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RemotesTest {
    @TempDir
    Path tmp;

    @Test
    void open_relativeDirectoryResolvesAgainstTheBaseAndIsWrapped() throws IOException {
        RemoteStats stats = new RemoteStats();
        try (Remote remote = Remotes.open(RemoteSpec.of("../shared"), tmp.resolve("project"), stats)) {
            assertTrue(remote instanceof RetryingRemote);
            assertEquals(tmp.resolve("shared").toString(), remote.describe());
            remote.put("tags/main", new byte[] {7});
        }
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(tmp.resolve("shared/tags/main")));
        assertEquals(1, stats.requests());
        assertEquals(1, stats.bytesWritten());
    }

    @Test
    void openUnwrapped_s3UrlMakesAnS3Remote() throws IOException {
        RemoteSpec spec = new RemoteSpec("origin", "s3://bucket/team/data", "http://127.0.0.1:1", null, false);
        try (Remote remote = Remotes.openUnwrapped(spec, tmp)) {
            assertTrue(remote instanceof S3Remote);
            assertEquals("s3://bucket/team/data/ at http://127.0.0.1:1", remote.describe());
        }
    }
}
