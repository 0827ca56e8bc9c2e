package verso.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.RemoteException;
import verso.remote.RemoteSpec;

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
    void encode_writesOneFieldPerLine() throws RepoException {
        RepoConfig c = new RepoConfig(1, "../cache", 1 << 20, java.util.List.of(), null)
                .withRemote(new RemoteSpec("origin", "s3://b/p", null, "eu-west-1", true), true);
        assertEquals("""
                {
                  "format" : 1,
                  "cache" : "../cache",
                  "blockSize" : 1048576,
                  "remotes" : [ {
                    "name" : "origin",
                    "url" : "s3://b/p",
                    "region" : "eu-west-1",
                    "pathStyle" : true
                  } ],
                  "default" : "origin"
                }
                """, new String(c.encode(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void read_refusesWhatIsNotAConfig() throws IOException {
        Path f = dir.resolve("config");
        for (String text : new String[] {"[1]", "{\"format\": \"1\"}", "{\"format\": 1} {}", "{\"format\": 1,",
                "{\"format\": 2}", "{\"format\": 1, \"remotes\": [{\"name\": \"x\"}]}"}) {
            Files.writeString(f, text);
            assertThrows(RepoException.class, () -> RepoConfig.read(f), text);
        }
        Files.writeString(f, "{\"format\": 1, \"future\": {\"a\": [1, 2.5, null]}}");
        assertEquals(RepoConfig.defaults(), RepoConfig.read(f));
    }

    @Test
    void validate_acceptsS3AndPaths_refusesOthers() throws RemoteException {
        for (String ok : new String[] {"s3://my-bucket/some/prefix", "s3://my.bucket", "/srv/verso", "../relative"}) {
            new RemoteSpec("r", ok, null, null, false).validate();
        }
        for (String bad : new String[] {"s3://UPPER/x", "s3://", "http://example.com/x"}) {
            assertThrows(RemoteException.class, () -> new RemoteSpec("r", bad, null, null, false).validate(), bad);
        }
        assertThrows(RemoteException.class, () -> new RemoteSpec("bad name", "/x", null, null, false).validate());
        assertThrows(RemoteException.class, () -> new RemoteSpec("r", "/x", "ftp://h", null, false).validate());
    }
}
