package verso.dvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.RemoteSpec;

final class DvcConfigTest {
    @TempDir
    Path dir;

    @Test
    void parse_tutorialConfig() {
        DvcConfig c = DvcConfig.parse("""
                [core]
                    remote = s3cache
                    autostage = true
                ['remote "s3cache"']
                    url = s3://mikemayobucket/mnist3d_cache/
                    endpointurl = http://127.0.0.1:9000
                    region = eu-west-1
                ['remote "other"']
                    url = /srv/dvc
                """, dir.resolve(".dvc"));
        assertEquals("s3cache", c.defaultRemote().orElseThrow());
        assertEquals(new RemoteSpec("s3cache", "s3://mikemayobucket/mnist3d_cache/", "http://127.0.0.1:9000",
                "eu-west-1", false), c.remote("s3cache").orElseThrow());
        assertEquals("/srv/dvc", c.remote("other").orElseThrow().url());
        assertTrue(c.remote("missing").isEmpty());
        assertEquals(dir.resolve(".dvc/cache"), c.cacheDir());
    }

    @Test
    void read_localOverridesAndRelativePathsFromDotDvc() throws Exception {
        Files.createDirectories(dir.resolve(".dvc"));
        Files.writeString(dir.resolve(".dvc/config"), "[core]\nremote = a\n[remote \"a\"]\nurl = ../../store\n"
                + "[cache]\ndir = ../cache\n");
        Files.writeString(dir.resolve(".dvc/config.local"), "[core]\n# personal\nremote = b\n['remote \"b\"']\n"
                + "url = 'file:///tmp/b'\n");
        DvcConfig c = DvcConfig.read(dir);
        assertEquals("b", c.defaultRemote().orElseThrow());
        assertEquals("/tmp/b", c.remote("b").orElseThrow().url());
        assertEquals(dir.getParent().resolve("store").toString(), c.remote("a").orElseThrow().url());
        assertEquals(dir.resolve("cache"), c.cacheDir());
    }

    @Test
    void read_noConfig_noRemote() throws Exception {
        DvcConfig c = DvcConfig.read(dir);
        assertTrue(c.defaultRemote().isEmpty());
    }
}
