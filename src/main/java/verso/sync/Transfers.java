package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import verso.store.DaemonThreads;

/**
 * Runs remote transfers (puts, gets, deletes) a bounded number at a time on its own threads, which
 * wait on the network rather than compute, so there are more of them than processors. The first
 * failure stops the items not yet started and is rethrown once the running ones have ended, so a
 * command fails fast with the first real error instead of one per object.
 */
final class Transfers implements Closeable {
    /** Transfers in flight: enough to fill a fast link with 4 MiB objects, below the remote's own limit. */
    static final int DEFAULT_PARALLELISM = 16;

    /** One transfer. */
    @FunctionalInterface
    interface Action<T> {
        void run(T item) throws IOException;
    }

    private final ExecutorService pool;

    Transfers(int parallelism) {
        this.pool = Executors.newFixedThreadPool(parallelism, DaemonThreads.numbered("verso-transfer"));
    }

    Transfers() {
        this(DEFAULT_PARALLELISM);
    }

    /** Runs {@code action} on every item; returns when all are done, or throws the first failure. */
    <T> void run(Collection<T> items, Action<T> action) throws IOException {
        AtomicReference<Throwable> first = new AtomicReference<>();
        List<Future<?>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(pool.submit(() -> {
                if (first.get() != null) {
                    return;
                }
                try {
                    action.run(item);
                } catch (Throwable t) {
                    first.compareAndSet(null, t);
                }
            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            first.compareAndSet(null, e.getCause());
        }
        rethrow(first.get());
    }

    /** One transfer started on its own. */
    @FunctionalInterface
    interface Task {
        void run() throws IOException;
    }

    /** Starts one transfer and returns at once; {@link #await} its future. */
    Future<?> submit(Task task) {
        return pool.submit(() -> {
            task.run();
            return null;
        });
    }

    /** Waits for every future; throws the first failure once all have ended. */
    static void await(List<Future<?>> futures) throws IOException {
        Throwable first = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                first = first == null ? e.getCause() : first;
            }
        }
        rethrow(first);
    }

    /** The value of {@code f} once it is done; its failure thrown as what it is (see {@link #rethrow}). */
    static <T> T get(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            rethrow(e.getCause());
            throw new IOException(e.getCause());
        }
    }

    /** Throws {@code t} as what it is if it is an I/O, runtime or error throwable (an unchecked I/O one unwrapped). */
    static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof UncheckedIOException u) {
            throw u.getCause();
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
