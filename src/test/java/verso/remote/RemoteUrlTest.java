package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class RemoteUrlTest {
    private static final Path BASE = Path.of("/home/u/project");

    @Test
    void parse_s3BucketAndPrefix() throws RemoteException {
        assertEquals(new RemoteUrl.S3("my-bucket", ""), RemoteUrl.parse("s3://my-bucket", BASE));
        assertEquals(new RemoteUrl.S3("my-bucket", ""), RemoteUrl.parse("s3://my-bucket/", BASE));
        assertEquals(new RemoteUrl.S3("my.bucket", "data/medmnist/"), RemoteUrl.parse("s3://my.bucket/data/medmnist/", BASE));
        assertEquals(new RemoteUrl.S3("b12", "x/"), RemoteUrl.parse("S3://b12/x", BASE));
    }

    @Test
    void parse_directories() throws RemoteException {
        assertEquals(new RemoteUrl.Directory(Path.of("/srv/remote")), RemoteUrl.parse("/srv/remote/", BASE));
        assertEquals(new RemoteUrl.Directory(Path.of("/home/u/store")), RemoteUrl.parse("../store", BASE));
        assertEquals(new RemoteUrl.Directory(Path.of("/home/u/project/r")), RemoteUrl.parse("r", BASE));
        assertEquals(new RemoteUrl.Directory(Path.of("/mnt/share/x")), RemoteUrl.parse("file:///mnt/share/x", BASE));
    }

    @Test
    void parse_refusesWhatItCannotServe() {
        for (String bad : new String[] {"s3://", "s3://Upper_Case", "s3://ab", "s3://bucket/a/../b", "https://host/b",
                "gs://bucket/x", ""}) {
            RemoteException e = assertThrows(RemoteException.class, () -> RemoteUrl.parse(bad, BASE), bad);
            assertTrue(e.getMessage().contains(bad.isEmpty() ? "unsupported" : bad.substring(0, 4)), e.getMessage());
        }
    }
}
