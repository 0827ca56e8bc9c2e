package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

final class LoggingRemoteTest {
    private final InMemoryRemote memory = new InMemoryRemote();
    private final FaultyRemote faulty = new FaultyRemote(memory);
    private final RemoteStats stats = new RemoteStats();
    private final LoggingRemote remote = new LoggingRemote(faulty, stats);

    @Test
    void stats_countRequestsAndTheBytesActuallyMoved() throws IOException {
        remote.put("objects/ab/c", new byte[1000]);
        try (InputStream in = remote.get("objects/ab/c", 0, -1)) {
            in.readNBytes(300);
        }
        assertEquals(1000, remote.getBytes("objects/ab/c").length);
        assertEquals(3, stats.requests());
        assertEquals(1300, stats.bytesRead());
        assertEquals(1000, stats.bytesWritten());
        assertEquals(0, stats.failures());
    }

    @Test
    void stats_countFailuresButNotMissingKeys() {
        assertThrows(RemoteNotFoundException.class, () -> remote.size("tags/none"));
        faulty.failNext(1, FaultyRemote::retryable);
        assertThrows(RemoteRetryableException.class, () -> remote.exists("tags/none"));
        faulty.failNext(1, () -> new RemoteException("refused"));
        assertThrows(RemoteException.class, () -> remote.delete("tags/none"));
        assertEquals(3, stats.requests());
        assertEquals(2, stats.failures());
    }
}
