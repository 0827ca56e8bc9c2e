package verso.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import verso.testing.S3Server;

/** The contract against a real S3Proxy, each test under its own prefix, plus multipart uploads. */
final class S3RemoteTest extends RemoteContractTest {
    private static final String BUCKET = "contract";
    private static final AtomicInteger PREFIX = new AtomicInteger();
    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected Remote newRemote() {
        return server.remote(BUCKET, "run" + PREFIX.incrementAndGet() + "/");
    }

    @Test
    void putFile_largerThanTheThresholdIsUploadedInPartsAndReadsBack() throws Exception {
        int size = (17 << 20) + 12345; // four 5 MiB parts, the last one short
        byte[] data = random(size, 9);
        Path file = Files.write(tmp.resolve("big"), data);
        String prefix = "multi" + PREFIX.incrementAndGet() + "/";
        try (S3Remote multipart = new S3Remote(BUCKET, prefix, server.settings().withMultipart(6 << 20, 5 << 20))) {
            multipart.put("objects/bb/big", file);
            assertEquals(size, multipart.size("objects/bb/big"));
            try (InputStream in = multipart.get("objects/bb/big", 0, -1)) {
                assertArrayEquals(sha256(data), sha256(in.readAllBytes()));
            }
            long across = (5L << 20) - 100; // a range spanning the first part boundary
            try (InputStream in = multipart.get("objects/bb/big", across, 200)) {
                assertArrayEquals(Arrays.copyOfRange(data, (int) across, (int) across + 200), in.readAllBytes());
            }
        }
        // The upload left only the finished object behind, and under its own prefix.
        int[] keys = {0};
        remote.list("", k -> keys[0]++);
        assertEquals(0, keys[0]);
    }

    @Test
    void get_closedEarlyOnALargeValueDoesNotBlockLaterRequests() throws IOException {
        byte[] data = random(4 << 20, 10);
        remote.put("objects/cc/large", data);
        for (int i = 0; i < 80; i++) { // more than the connection pool: each early close must free its connection
            try (InputStream in = remote.get("objects/cc/large", 0, -1)) {
                assertEquals(data[0] & 0xff, in.read());
            }
        }
        assertArrayEquals(data, remote.getBytes("objects/cc/large"));
    }

    @Test
    void get_ofExistingKeysNeverNeedsTheSdkClient() throws IOException {
        S3Remote s3 = server.remote(BUCKET, "direct" + PREFIX.incrementAndGet() + "/");
        try (s3) {
            for (String key : List.of("objects/ab/cdef", "tags/v 1 (final)", "tags/données-è",
                    "tags/a+b=c&d?e#f%20g")) {
                byte[] data = random(3000, key.hashCode());
                s3.put(key, data);
                assertArrayEquals(data, s3.getBytes(key), key);
                try (InputStream in = s3.get(key, 100, 50)) {
                    assertArrayEquals(Arrays.copyOfRange(data, 100, 150), in.readAllBytes(), key);
                }
            }
            assertEquals(0, s3.sdkGets(), "every GET was signed and sent directly");
            assertThrows(RemoteNotFoundException.class, () -> s3.get("objects/00/missing", 0, -1));
            assertEquals(1, s3.sdkGets(), "a missing key is asked again through the SDK, for its error");
        }
    }

    @Test
    void describe_namesTheBucketPrefixAndEndpoint() {
        String d = remote.describe();
        assertTrue(d.startsWith("s3://contract/run") && d.endsWith(server.endpoint().toString()), d);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
