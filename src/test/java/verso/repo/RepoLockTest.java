package verso.repo;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RepoLockTest {
    @TempDir
    Path dir;

    @Test
    void shared_twice_bothHeld_exclusiveWaitsThenFails() throws Exception {
        RepoLock lock = new RepoLock(dir.resolve("lock"), 200);
        try (RepoLock.Held a = lock.shared(); RepoLock.Held b = lock.shared()) {
            RepoException e = assertThrows(RepoException.class, () -> runInThread(lock));
            assertTrue(e.getMessage().contains("another verso command"), e.getMessage());
        }
        try (RepoLock.Held x = lock.exclusive()) {
            assertThrows(RepoException.class, lock::shared);
        }
        try (RepoLock.Held s = lock.shared()) {
            assertTrue(true);
        }
    }

    private static void runInThread(RepoLock lock) throws Exception {
        Exception[] out = new Exception[1];
        Thread t = new Thread(() -> {
            try (RepoLock.Held h = lock.exclusive()) {
                out[0] = null;
            } catch (IOException e) {
                out[0] = e;
            }
        });
        t.start();
        t.join();
        if (out[0] != null) {
            throw out[0];
        }
    }
}
