package verso.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RepoConfigTest {
    @TempDir
    Path dir;

    @Test
    void encodeRead_roundTripsRemotesAndDefault() throws IOException {
        RepoConfig c = RepoConfig.defaults()
                .withRemote(new RemoteSpec("s3cache", "s3://bucket/mnist3d_cache", "http://127.0.0.1:9000", "eu-west-1",
                        true), false)
                .withRemote(new RemoteSpec("backup", "/mnt/backup", null, null, false), true);
        Files.write(dir.resolve("config"), c.encode());
        RepoConfig read = RepoConfig.read(dir.resolve("config"));
        assertEquals(c, read);
        assertEquals("backup", read.defaultRemoteSpec().orElseThrow().name());
        assertEquals(null, read.withoutRemote("backup").defaultRemote());
        assertThrows(RepoException.class, () -> read.withRemote(new RemoteSpec("backup", "/x", null, null, false),
                false));
    }

    @Test
    void checkUrl_acceptsS3AndPaths_refusesOthers() throws RepoException {
        RemoteSpec.checkUrl("s3://my-bucket/some/prefix");
        RemoteSpec.checkUrl("s3://my.bucket");
        RemoteSpec.checkUrl("/srv/verso");
        RemoteSpec.checkUrl("../relative");
        assertThrows(RepoException.class, () -> RemoteSpec.checkUrl("s3://UPPER/x"));
        assertThrows(RepoException.class, () -> RemoteSpec.checkUrl("s3://"));
        assertThrows(RepoException.class, () -> RemoteSpec.checkUrl("http://example.com/x"));
        assertThrows(RepoException.class, () -> RemoteSpec.checkName("bad name"));
    }
}
