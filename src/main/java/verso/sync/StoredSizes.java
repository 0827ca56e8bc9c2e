package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
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
 * at most {@link #QUEUED} batches of ids, and the sizes not yet taken, 8 bytes each.
 */
final class StoredSizes implements Closeable {
    /** Threads: a stat of a cold inode waits on the disk more than it computes. */
    static final int THREADS = 8;
    /** Objects one task stats. */
    static final int BATCH = 1024;

    /** Batches queued or being stated at once, at most: the walk waits rather than run far ahead. */
    static final int QUEUED = 4 * THREADS;

    private final ObjectStore store;
    private final ExecutorService pool;
    private final Semaphore queued = new Semaphore(QUEUED);
    private final List<Future<long[]>> batches = new ArrayList<>();
    /** The ids of the batch being gathered, {@link ObjectId#LENGTH} bytes each. */
    private byte[] gathering = new byte[BATCH * ObjectId.LENGTH];
    private int gathered;

    StoredSizes(ObjectStore store) {
        this.store = store;
        this.pool = Executors.newFixedThreadPool(THREADS, DaemonThreads.numbered("verso-stat"));
    }

    /** Adds an object to stat. */
    void add(ObjectId id) {
        id.copyTo(gathering, gathered++ * ObjectId.LENGTH);
        if (gathered == BATCH) {
            submit();
        }
    }

    private void submit() {
        byte[] ids = gathering;
        int count = gathered;
        queued.acquireUninterruptibly();
        batches.add(pool.submit(() -> {
            try {
                long[] sizes = new long[count];
                for (int i = 0; i < count; i++) {
                    sizes[i] = store.size(ObjectId.fromTable(ids, i * ObjectId.LENGTH));
                }
                return sizes;
            } finally {
                queued.release();
            }
        }));
        gathering = new byte[BATCH * ObjectId.LENGTH];
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
