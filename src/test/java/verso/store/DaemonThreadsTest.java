package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

final class DaemonThreadsTest {
    /** The next threads of {@code factory} carry {@code names}, in order, and are daemons. */
    private static void assertMakes(ThreadFactory factory, String... names) {
        for (String name : names) {
            Thread t = factory.newThread(() -> { });
            assertEquals(name, t.getName());
            assertTrue(t.isDaemon(), name + " is a daemon");
        }
    }

    @Test
    void numbered_namesThreadsInOrderFromOne() {
        assertMakes(DaemonThreads.numbered("verso-test"), "verso-test-1", "verso-test-2", "verso-test-3");
    }

    @Test
    void numbered_countsEachFactoryOnItsOwn() {
        DaemonThreads.numbered("verso-test").newThread(() -> { });
        assertMakes(DaemonThreads.numbered("verso-test"), "verso-test-1");
    }

    @Test
    void named_givesEveryThreadTheName() {
        assertMakes(DaemonThreads.named("verso-test"), "verso-test", "verso-test");
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
