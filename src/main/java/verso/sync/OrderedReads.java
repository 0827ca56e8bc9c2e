package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Reads objects of the store, each verified against its id, on several threads, and hands them over
 * one by one in the order asked: a push lays small objects into packs in tree order while the reads
 * (which wait on the disk when the page cache is cold, and hash) run side by side.
 *
 * <p>Design: a window of reads runs ahead of the object handed over; it holds at most
 * {@link #WINDOW_BYTES} of objects by their stored sizes (and always at least the next one) and at
 * most {@link #WINDOW_OBJECTS}, so memory stays bounded whatever the number of objects. A failed read
 * is thrown when its turn comes; closing cancels the reads still running.
 */
final class OrderedReads implements Closeable {
    /** Reader threads: reads of small files wait on the disk more than they compute. */
    static final int THREADS = 8;
    /** Bytes of objects read ahead, at most (one object over it is still read: objects are under 1 MiB). */
    static final long WINDOW_BYTES = 4 << 20;
    /** Objects read ahead, at most. */
    static final int WINDOW_OBJECTS = 512;

    /** Receives each object in turn. */
    @FunctionalInterface
    interface Sink {
        void accept(ObjectId id, byte[] bytes) throws IOException;
    }

    private final ObjectStore store;
    private final ExecutorService pool;

    OrderedReads(ObjectStore store) {
        this.store = store;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "verso-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads {@code ids}, whose stored sizes are {@code sizes}, and gives each to {@code sink} in order. */
    void forEach(List<ObjectId> ids, List<Long> sizes, Sink sink) throws IOException {
        if (ids.size() != sizes.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + sizes.size() + " sizes");
        }
        ArrayDeque<Future<byte[]>> window = new ArrayDeque<>();
        int next = 0;
        long ahead = 0;
        try {
            for (int i = 0; i < ids.size(); i++) {
                while (next < ids.size() && (window.isEmpty()
                        || (window.size() < WINDOW_OBJECTS && ahead + sizes.get(next) <= WINDOW_BYTES))) {
                    ObjectId id = ids.get(next);
                    window.add(pool.submit(() -> store.read(id)));
                    ahead += sizes.get(next);
                    next++;
                }
                byte[] bytes = take(window.poll());
                ahead -= sizes.get(i);
                sink.accept(ids.get(i), bytes);
            }
        } finally {
            window.forEach(f -> f.cancel(true));
        }
    }

    private static byte[] take(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Transfers.rethrow(e.getCause());
            throw new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
