package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;

final class S3SettingsTest {
    private static S3Settings resolve(RemoteSpec spec, Map<String, String> env) throws RemoteException {
        return S3Settings.resolve(spec, env, AnonymousCredentialsProvider.create());
    }

    @Test
    void resolve_endpointFromTheEnvironmentWhenTheRemoteHasNone() throws RemoteException {
        S3Settings s = resolve(RemoteSpec.of("s3://b"), Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"));
        assertEquals(URI.create("http://127.0.0.1:9000"), s.endpoint());
        assertEquals("us-east-1", s.region());
        assertTrue(s.pathStyle(), "an IP endpoint cannot take virtual-host buckets");
    }

    @Test
    void resolve_theRemotesOwnSettingsWin() throws RemoteException {
        RemoteSpec spec = new RemoteSpec("o", "s3://b", "https://minio.example.com", "eu-west-3", false);
        S3Settings s = resolve(spec, Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", "AWS_REGION", "us-west-2"));
        assertEquals(URI.create("https://minio.example.com"), s.endpoint());
        assertEquals("eu-west-3", s.region());
        assertFalse(s.pathStyle());
        assertTrue(resolve(new RemoteSpec("o", "s3://b", "https://minio.example.com", null, true), Map.of()).pathStyle());
    }

    @Test
    void resolve_regionFromTheEnvironment() throws RemoteException {
        S3Settings s = resolve(RemoteSpec.of("s3://b"), Map.of("AWS_REGION", "ap-south-1"));
        assertNull(s.endpoint());
        assertEquals("ap-south-1", s.region());
        assertEquals("AWS S3 (ap-south-1)", s.describeEndpoint());
    }

    @Test
    void resolve_endpointWithoutAScheme() throws RemoteException {
        assertEquals(URI.create("http://localhost:9000"),
                resolve(new RemoteSpec(null, "s3://b", "localhost:9000", null, false), Map.of()).endpoint());
        assertEquals(URI.create("https://s3.example.com"),
                resolve(new RemoteSpec(null, "s3://b", "s3.example.com", null, false), Map.of()).endpoint());
        assertThrows(RemoteException.class,
                () -> resolve(new RemoteSpec(null, "s3://b", "http://", null, false), Map.of()));
    }
}
