package verso.remote;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import verso.testing.S3Server;

/** How S3 failures reach the caller through the standard wrappers: fast, once, and saying what to fix. */
@Timeout(60)
final class S3FaultTest {
    private static S3Server server;

    @BeforeAll
    static void startServer() {
        server = S3Server.start().createBucket("faults");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static Remote wrapped(S3Settings settings, String bucket, RemoteStats stats) {
        return Remotes.wrap(new S3Remote(bucket, "", settings), stats);
    }

    @Test
    void wrongCredentials_failOnceQuicklyNamingTheCredentialSources() throws IOException {
        for (boolean upload : new boolean[] {true, false}) {
            RemoteStats stats = new RemoteStats();
            try (Remote remote = wrapped(server.settings("verso-access", "wrong-secret"), "faults", stats)) {
                long start = System.nanoTime();
                RemoteException e = assertThrows(RemoteException.class, () -> {
                    if (upload) {
                        remote.put("tags/x", new byte[] {1});
                    } else {
                        remote.getBytes("tags/x");
                    }
                });
                assertEquals(RemoteException.class, e.getClass());
                assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
                assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID") && e.getMessage().contains("~/.aws/credentials"));
                assertEquals(1, stats.requests());
                assertEquals(0, stats.retries());
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
            }
        }
    }

    @Test
    void unknownAccessKey_isRefusedToo() throws IOException {
        try (Remote remote = wrapped(server.settings("nobody", "nothing"), "faults", new RemoteStats())) {
            RemoteException e = assertThrows(RemoteException.class, () -> remote.exists("tags/x"));
            assertEquals(RemoteException.class, e.getClass());
            assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
        }
    }

    @Test
    void missingBucket_saysToCreateItOrFixTheUrl() throws IOException {
        RemoteStats stats = new RemoteStats();
        try (Remote remote = wrapped(server.settings(), "no-such-bucket", stats)) {
            RemoteException put = assertThrows(RemoteException.class, () -> remote.put("tags/x", new byte[] {1}));
            assertEquals("bucket 'no-such-bucket' does not exist at " + server.endpoint()
                    + "; create it or fix the remote URL", put.getMessage());
            RemoteException list = assertThrows(RemoteException.class, () -> remote.list("", k -> { }));
            assertTrue(list.getMessage().startsWith("bucket 'no-such-bucket' does not exist"), list.getMessage());
            assertEquals(0, stats.retries());
        }
    }

    @Test
    void unreachableEndpoint_failsRetryableWithinSeconds() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        RemoteSpec spec = new RemoteSpec("x", "s3://faults", "http://127.0.0.1:" + closedPort, null, false);
        S3Settings settings = S3Settings.resolve(spec, Map.of(), server.settings().credentials());
        RemoteStats stats = new RemoteStats();
        try (Remote remote = wrapped(settings, "faults", stats)) {
            long start = System.nanoTime();
            RemoteRetryableException e = assertThrows(RemoteRetryableException.class, () -> remote.getBytes("tags/x"));
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertTrue(seconds < 10, "took " + seconds + " s");
            assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
            assertTrue(e.getMessage().contains("gave up after " + RetryPolicy.DEFAULT.maxAttempts() + " attempts"));
            assertEquals(RetryPolicy.DEFAULT.maxAttempts() - 1, stats.retries());
        }
    }

    @Test
    void serverRestartedOnTheSamePort_retrySucceeds() throws Exception {
        RemoteStats stats = new RemoteStats();
        try (Remote remote = wrapped(server.settings(), "faults", stats)) {
            remote.put("tags/restart", "v1\n".getBytes(UTF_8));
            server.stop();
            Thread restarter = new Thread(() -> {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    return;
                }
                server.restart();
            });
            restarter.start();
            try {
                assertArrayEquals("v1\n".getBytes(UTF_8), remote.getBytes("tags/restart"));
            } finally {
                restarter.join();
                server.restart();
            }
            assertTrue(stats.retries() >= 1, stats.toString());
            assertFalse(remote.exists("tags/other"));
        }
    }
}
