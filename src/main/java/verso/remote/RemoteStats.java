package verso.remote;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters for one remote, shared by its wrappers and readable at any time (for progress lines,
 * benchmarks and tests). A request is one attempt at one call; a retry is an attempt after a
 * retryable failure; a failure is an attempt that failed for any reason but a missing key.
 */
public final class RemoteStats {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public long requests() {
        return requests.get();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public long retries() {
        return retries.get();
    }

    public long failures() {
        return failures.get();
    }

    void addRequest() {
        requests.incrementAndGet();
    }

    void addBytesRead(long n) {
        bytesRead.addAndGet(n);
    }

    void addBytesWritten(long n) {
        bytesWritten.addAndGet(n);
    }

    void addRetry() {
        retries.incrementAndGet();
    }

    void addFailure() {
        failures.incrementAndGet();
    }

    @Override
    public String toString() {
        return requests() + " requests, " + bytesRead() + " bytes read, " + bytesWritten() + " bytes written, "
                + retries() + " retries, " + failures() + " failures";
    }
}
