package verso.remote;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retry decisions, with a fake clock that only moves when the retry wrapper sleeps. */
final class RetryingRemoteTest {
    private static final RetryPolicy POLICY =
            new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(10));

    private final InMemoryRemote memory = new InMemoryRemote();
    private final FaultyRemote faulty = new FaultyRemote(memory);
    private final RemoteStats stats = new RemoteStats();
    private final List<Duration> sleeps = new ArrayList<>();
    private long now;
    private double random = 0.5;

    private RetryingRemote retrying(RetryPolicy policy) {
        return new RetryingRemote(faulty, policy, stats, d -> {
            sleeps.add(d);
            now += d.toNanos();
        }, () -> now, () -> random);
    }

    @BeforeEach
    void fill() {
        memory.put("versions/v1", "version one".getBytes(UTF_8));
    }

    @Test
    void get_retriesOpeningAfterRetryableFailures() throws IOException {
        faulty.failNext(2, FaultyRemote::retryable);
        try (InputStream in = retrying(POLICY).get("versions/v1", 0, -1)) {
            assertEquals("version one", new String(in.readAllBytes(), UTF_8));
        }
        assertEquals(3, faulty.calls());
        assertEquals(2, stats.retries());
        assertEquals(List.of(Duration.ofMillis(75), Duration.ofMillis(150)), sleeps);
    }

    @Test
    void get_failingMidStreamIsNotReopenedBehindTheCallersBack() throws IOException {
        faulty.breakNextStreams(1, 4);
        try (InputStream in = retrying(POLICY).get("versions/v1", 0, -1)) {
            assertArrayEquals("vers".getBytes(UTF_8), in.readNBytes(4));
            assertThrows(RemoteRetryableException.class, in::read);
        }
        assertEquals(1, faulty.calls());
        assertEquals(0, stats.retries());
    }

    @Test
    void getBytes_retriesTheWholeReadWhenTheStreamBreaks() throws IOException {
        faulty.breakNextStreams(2, 4);
        assertArrayEquals("version one".getBytes(UTF_8), retrying(POLICY).getBytes("versions/v1"));
        assertEquals(3, faulty.calls());
        assertEquals(2, stats.retries());
    }

    @Test
    void call_thatFailsForGoodIsNotRetried() {
        faulty.failNext(1, () -> new RemoteException("bucket 'b' does not exist"));
        RemoteException e = assertThrows(RemoteException.class, () -> retrying(POLICY).put("tags/a", new byte[] {1}));
        assertEquals("bucket 'b' does not exist", e.getMessage());
        assertEquals(1, faulty.calls());
        assertTrue(sleeps.isEmpty());
        assertFalse(memory.exists("tags/a"));
    }

    @Test
    void notFound_isAnAnswerNotRetried() {
        assertThrows(RemoteNotFoundException.class, () -> retrying(POLICY).size("versions/none"));
        assertEquals(1, faulty.calls());
        assertEquals(0, stats.retries());
    }

    @Test
    void call_givesUpAfterMaxAttempts() {
        faulty.failNext(100, FaultyRemote::retryable);
        RemoteRetryableException e = assertThrows(RemoteRetryableException.class,
                () -> retrying(POLICY).exists("versions/v1"));
        assertTrue(e.getMessage().endsWith("(gave up after 5 attempts)"), e.getMessage());
        assertEquals(5, faulty.calls());
        assertEquals(4, stats.retries());
    }

    @Test
    void call_givesUpWhenTheNextWaitWouldPassTheTotalTime() {
        RetryPolicy policy = new RetryPolicy(100, Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(2));
        random = 1.0;
        faulty.failNext(1000, FaultyRemote::retryable);
        assertThrows(RemoteRetryableException.class, () -> retrying(policy).delete("versions/v1"));
        // Waits of 100, 200, 400, 800 ms add to 1.5 s; another 800 would pass 2 s.
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800)), sleeps);
        assertEquals(5, faulty.calls());
    }

    @Test
    void delay_doublesUpToTheCapWithHalfOfItJittered() {
        assertEquals(Duration.ofMillis(50), POLICY.delay(1, 0.0));
        assertEquals(Duration.ofMillis(100), POLICY.delay(1, 1.0));
        assertEquals(Duration.ofMillis(150), POLICY.delay(2, 0.5));
        assertEquals(Duration.ofMillis(400), POLICY.delay(4, 0.0));
        assertEquals(Duration.ofMillis(400), POLICY.delay(10, 0.0));
        assertEquals(Duration.ofMillis(800), POLICY.delay(1000, 1.0));
    }

    @Test
    void list_isRetriedOnlyBeforeItHandedOutAKey() throws IOException {
        memory.put("versions/v2", new byte[] {2});
        faulty.breakNextLists(1, 0);
        List<String> keys = new ArrayList<>();
        retrying(POLICY).list("versions/", f -> keys.add(f.key()));
        assertEquals(List.of("versions/v1", "versions/v2"), keys);
        assertEquals(1, stats.retries());

        faulty.breakNextLists(1, 1);
        List<String> partial = new ArrayList<>();
        RemoteException e = assertThrows(RemoteException.class, () -> retrying(POLICY).list("versions/", f -> partial.add(f.key())));
        assertEquals(RemoteException.class, e.getClass());
        assertEquals(List.of("versions/v1"), partial);
        assertEquals(1, stats.retries());
    }

    @Test
    void sleep_interruptedEndsTheRetriesAsAPlainFailure() {
        faulty.failNext(100, FaultyRemote::retryable);
        RetryingRemote remote = new RetryingRemote(faulty, POLICY, stats, d -> {
            throw new InterruptedException();
        }, () -> 0, () -> 0);
        RemoteException e = assertThrows(RemoteException.class, () -> remote.size("versions/v1"));
        assertEquals(RemoteException.class, e.getClass());
        assertTrue(Thread.interrupted());
    }
}
