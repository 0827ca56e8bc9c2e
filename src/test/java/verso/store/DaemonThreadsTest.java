package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

final class DaemonThreadsTest {
    @Test
    void numbered_namesThreadsInOrderFromOne() {
        ThreadFactory factory = DaemonThreads.numbered("verso-test");
        Thread first = factory.newThread(() -> { });
        Thread second = factory.newThread(() -> { });
        assertEquals("verso-test-1", first.getName());
        assertEquals("verso-test-2", second.getName());
        assertTrue(first.isDaemon() && second.isDaemon());
    }

    @Test
    void numbered_countsEachFactoryOnItsOwn() {
        DaemonThreads.numbered("verso-test").newThread(() -> { });
        assertEquals("verso-test-1", DaemonThreads.numbered("verso-test").newThread(() -> { }).getName());
    }

    @Test
    void named_givesEveryThreadTheName() {
        ThreadFactory factory = DaemonThreads.named("verso-test");
        Thread first = factory.newThread(() -> { });
        Thread second = factory.newThread(() -> { });
        assertEquals("verso-test", first.getName());
        assertEquals("verso-test", second.getName());
        assertTrue(first.isDaemon() && second.isDaemon());
    }

    @Test
    void numbered_runsThePoolsTasks() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1, DaemonThreads.numbered("verso-test"));
        try {
            Thread worker = pool.submit(Thread::currentThread).get();
            assertEquals("verso-test-1", worker.getName());
            assertTrue(worker.isDaemon());
        } finally {
            pool.shutdown();
        }
    }
}
