package verso.store;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread factories for verso's pools: daemon threads (a pool left running never keeps the JVM up)
 * with names that say whose they are in a thread dump.
 */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... in the order they are made. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger made = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + made.incrementAndGet());
    }

    /** Daemon threads that all carry {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
