package verso.repo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import verso.store.FileInserter;

/**
 * Runs jobs handed over one at a time by a walking thread on a pool, with a bounded number waiting or
 * running, so memory does not grow with the number of jobs.
 *
 * <p>Design: jobs go to the pool in batches, and the walker waits for a free slot per batch, not per
 * job. With a window of single jobs the walker and the workers hand each other every job: with small
 * files a worker finds the queue empty and parks after nearly every job, and the walker parks on the
 * full window and is woken for every slot freed (checking out 30,000 small files that way made
 * about 2.3 futex calls per file, against 0.3 in batches). A batch is a few milliseconds of work, so
 * the hand-overs are hundreds of times fewer. After the first failure no further job starts;
 * {@link #finish} waits for the running ones and throws it.
 */
final class WriteWindow {
    interface Job {
        void run() throws IOException;
    }

    private final ExecutorService pool;
    private final int batchSize;
    private final long batchWeight;
    private final int maxBatches;
    private final Semaphore slots;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private List<Job> batch;
    private long weight;

    /**
     * At most {@code maxBatches} batches queued or running at once, each of at most {@code batchSize}
     * jobs; a batch also ends once its jobs weigh {@code batchWeight} (bytes to write, say), so large
     * jobs are still spread over the workers.
     */
    WriteWindow(ExecutorService pool, int batchSize, long batchWeight, int maxBatches) {
        this.pool = pool;
        this.batchSize = batchSize;
        this.batchWeight = batchWeight;
        this.maxBatches = maxBatches;
        this.slots = new Semaphore(maxBatches);
        this.batch = new ArrayList<>(batchSize);
    }

    /** Queues {@code job}; blocks while the window is full. Throws the first failure of an earlier job. */
    void submit(Job job, long jobWeight) throws IOException {
        throwIfFailed();
        batch.add(job);
        weight += jobWeight;
        if (batch.size() >= batchSize || weight >= batchWeight) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        List<Job> jobs = batch;
        batch = new ArrayList<>(batchSize);
        weight = 0;
        acquire(1);
        try {
            pool.execute(() -> {
                try {
                    for (Job j : jobs) {
                        if (failure.get() != null) {
                            return;
                        }
                        j.run();
                    }
                } catch (IOException | RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** Runs what is queued, waits for every job to end, and throws the first failure. */
    void finish() throws IOException {
        try {
            if (failure.get() == null) {
                flush();
            }
        } finally {
            batch.clear();
            acquire(maxBatches);
            slots.release(maxBatches);
        }
        throwIfFailed();
    }

    /** Drops what is queued and waits for the running jobs to end; for a walk that failed. */
    void abandon() throws IOException {
        batch.clear();
        acquire(maxBatches);
        slots.release(maxBatches);
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure.get();
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw FileInserter.unwrap(new CompletionException(t));
        }
    }

    private void acquire(int permits) throws IOException {
        try {
            slots.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the workspace", e);
        }
    }
}
