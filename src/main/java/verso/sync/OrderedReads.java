package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import verso.store.DaemonThreads;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Reads objects of the store, each verified against its id, on several threads, and hands them over
 * one by one in the order asked: a push lays small objects into packs in tree order while the reads
 * (which wait on the disk when the page cache is cold, and hash) run side by side.
 *
 * <p>Design: the objects are read in batches of neighbours, up to {@link #BATCH_OBJECTS} objects or
 * {@link #BATCH_BYTES} by their stored sizes (and always at least one), each batch one task of a
 * reader thread: a task an object cost more in handing over between threads than the read of a file
 * of some bytes. A window of batches runs ahead of the object handed over; it holds at most about
 * {@link #WINDOW_BYTES} of objects (a batch started under it may pass it by one batch) and at most
 * {@link #WINDOW_OBJECTS}, so memory stays bounded whatever the number of objects. A batch that fails
 * hands over the objects it read before the failure, and the failure is thrown when its turn comes;
 * closing cancels the reads still running.
 */
final class OrderedReads implements Closeable {
    /**
     * Reader threads: reads of small files wait on the disk more than they compute, and more reads
     * waiting at once finish sooner (a million-object push: 31-34 s with 32 threads of 16-object
     * batches, 38-39 s with 8 of 64).
     */
    static final int THREADS = 32;
    /** Bytes of objects read ahead, at most (one object over it is still read: objects are under 1 MiB). */
    static final long WINDOW_BYTES = 4 << 20;
    /** Objects read ahead, at most. */
    static final int WINDOW_OBJECTS = 1024;
    /** Objects read by one task, at most. */
    static final int BATCH_OBJECTS = 16;
    /** Bytes read by one task, at most, unless its first object alone is larger. */
    static final long BATCH_BYTES = 256 << 10;

    /** Receives each object in turn. */
    @FunctionalInterface
    interface Sink {
        void accept(ObjectId id, byte[] bytes) throws IOException;
    }

    /** What a task read: the objects' bytes up to the first failure, and the failure, if any. */
    private record Batch(ObjectId[] ids, byte[][] bytes, int read, Throwable failure) {
    }

    private final ObjectStore store;
    private final ExecutorService pool;

    OrderedReads(ObjectStore store) {
        this.store = store;
        this.pool = Executors.newFixedThreadPool(THREADS, DaemonThreads.numbered("verso-read"));
    }

    /** Reads {@code ids}, whose stored sizes are {@code sizes}, and gives each to {@code sink} in order. */
    void forEach(List<ObjectId> ids, List<Long> sizes, Sink sink) throws IOException {
        if (ids.size() != sizes.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + sizes.size() + " sizes");
        }
        ArrayDeque<Future<Batch>> window = new ArrayDeque<>();
        int next = 0;
        long ahead = 0;
        int aheadObjects = 0;
        try {
            int i = 0;
            while (i < ids.size()) {
                while (next < ids.size() && (window.isEmpty()
                        || (aheadObjects < WINDOW_OBJECTS && ahead + sizes.get(next) <= WINDOW_BYTES))) {
                    int from = next;
                    long bytes = sizes.get(next++);
                    while (next < ids.size() && next - from < BATCH_OBJECTS && bytes + sizes.get(next) <= BATCH_BYTES) {
                        bytes += sizes.get(next++);
                    }
                    ObjectId[] batch = new ObjectId[next - from];
                    for (int k = 0; k < batch.length; k++) {
                        batch[k] = ids.get(from + k);
                    }
                    window.add(pool.submit(() -> read(batch)));
                    ahead += bytes;
                    aheadObjects += batch.length;
                }
                Batch b = Transfers.get(window.poll());
                for (int k = 0; k < b.read(); k++, i++) {
                    ahead -= sizes.get(i);
                    aheadObjects--;
                    sink.accept(b.ids()[k], b.bytes()[k]);
                }
                if (b.failure() != null) {
                    Transfers.rethrow(b.failure());
                    throw new IOException(b.failure());
                }
            }
        } finally {
            window.forEach(f -> f.cancel(true));
        }
    }

    private Batch read(ObjectId[] ids) {
        byte[][] bytes = new byte[ids.length][];
        for (int k = 0; k < ids.length; k++) {
            try {
                bytes[k] = store.read(ids[k]);
            } catch (IOException | RuntimeException e) {
                return new Batch(ids, bytes, k, e);
            }
        }
        return new Batch(ids, bytes, ids.length, null);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
