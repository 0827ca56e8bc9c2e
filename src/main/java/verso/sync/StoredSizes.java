package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import verso.store.DaemonThreads;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * The stored sizes of objects of the store as a walk lists them, one stat each, on several threads
 * while the walk goes on: when the cache's inodes are not in memory (a million objects), a stat waits
 * on the disk, and on one thread after the walk a push would wait for each in turn.
 *
 * <p>Design: ids are gathered in batches of {@link #BATCH}; each full batch is one task of the pool.
 * {@link #sizes} waits for every batch and gives the sizes in the order the ids were added. Memory:
 * the batches not yet taken, 8 bytes a size.
 */
final class StoredSizes implements Closeable {
    /** Threads: a stat of a cold inode waits on the disk more than it computes. */
    static final int THREADS = 8;
    /** Objects one task stats. */
    static final int BATCH = 1024;

    private final ObjectStore store;
    private final ExecutorService pool;
    private final List<Future<long[]>> batches = new ArrayList<>();
    private ObjectId[] gathering = new ObjectId[BATCH];
    private int gathered;

    StoredSizes(ObjectStore store) {
        this.store = store;
        this.pool = Executors.newFixedThreadPool(THREADS, DaemonThreads.numbered("verso-stat"));
    }

    /** Adds an object to stat. */
    void add(ObjectId id) {
        gathering[gathered++] = id;
        if (gathered == BATCH) {
            submit();
        }
    }

    private void submit() {
        ObjectId[] ids = gathering;
        int count = gathered;
        batches.add(pool.submit(() -> {
            long[] sizes = new long[count];
            for (int i = 0; i < count; i++) {
                sizes[i] = store.size(ids[i]);
            }
            return sizes;
        }));
        gathering = new ObjectId[BATCH];
        gathered = 0;
    }

    /**
     * Gives {@code sink} the stored size of each object added since the last call, in the order added
     * (-1 for each the store lacks).
     */
    void sizes(SizeSink sink) throws IOException {
        if (gathered > 0) {
            submit();
        }
        try {
            for (Future<long[]> f : batches) {
                for (long size : Transfers.get(f)) {
                    sink.accept(size);
                }
            }
        } finally {
            batches.forEach(f -> f.cancel(true));
            batches.clear();
            Arrays.fill(gathering, null);
            gathered = 0;
        }
    }

    /** Receives sizes in turn. */
    @FunctionalInterface
    interface SizeSink {
        void accept(long size);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
