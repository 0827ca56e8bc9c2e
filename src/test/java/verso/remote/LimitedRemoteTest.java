package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class LimitedRemoteTest {
    private final InMemoryRemote memory = new InMemoryRemote();

    @Test
    void get_holdsItsPermitUntilTheStreamIsClosedOnce() throws IOException {
        memory.put("tags/a", new byte[] {1, 2, 3});
        LimitedRemote limited = new LimitedRemote(memory, 2);
        InputStream first = limited.get("tags/a", 0, -1);
        InputStream second = limited.get("tags/a", 1, 1);
        assertEquals(0, limited.available());
        first.close();
        first.close();
        assertEquals(1, limited.available());
        second.close();
        assertEquals(2, limited.available());
    }

    @Test
    void call_thatFailsGivesItsPermitBack() {
        LimitedRemote limited = new LimitedRemote(memory, 1);
        assertThrows(RemoteNotFoundException.class, () -> limited.get("tags/none", 0, -1));
        assertThrows(RemoteNotFoundException.class, () -> limited.size("tags/none"));
        assertEquals(1, limited.available());
    }

    @Test
    void call_waitsWhileAllPermitsAreTaken() throws Exception {
        memory.put("tags/a", new byte[] {1});
        LimitedRemote limited = new LimitedRemote(memory, 1);
        InputStream held = limited.get("tags/a", 0, -1);
        CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            try {
                limited.exists("tags/a");
                done.countDown();
            } catch (IOException ignored) {
                // the assertion below fails
            }
        });
        waiter.start();
        assertTrue(!done.await(200, TimeUnit.MILLISECONDS), "ran past the limit");
        held.close();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        waiter.join();
    }
}
