package verso.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.Decoder;

/**
 * Retries calls that failed with a {@link RemoteRetryableException}, with exponential backoff and
 * jitter, within the attempts and total time of a {@link RetryPolicy}; any other failure passes at once.
 *
 * <p>A {@code get} is retried only while opening the stream: once a stream is handed out, its bytes
 * belong to the caller, who alone knows how many it consumed. A {@code list} is retried only if it
 * failed before it handed out any key, so a consumer never sees a key twice.
 */
public final class RetryingRemote implements Remote {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingRemote.class);

    /** Waits between attempts; tests pass one that only records the waits. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private final Remote inner;
    private final RetryPolicy policy;
    private final RemoteStats stats;
    private final Sleeper sleeper;
    private final LongSupplier nanoTime;
    private final DoubleSupplier random;

    public RetryingRemote(Remote inner, RetryPolicy policy, RemoteStats stats) {
        this(inner, policy, stats, d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000),
                System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** With injected time and randomness, for deterministic tests. */
    public RetryingRemote(Remote inner, RetryPolicy policy, RemoteStats stats, Sleeper sleeper,
                          LongSupplier nanoTime, DoubleSupplier random) {
        this.inner = inner;
        this.policy = policy;
        this.stats = stats;
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
        this.random = random;
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        return retry("get", key, () -> inner.get(key, offset, length));
    }

    @Override
    public <T> T read(String key, Decoder<T> reader) throws IOException {
        // The whole read is retried: a partial value is discarded, never returned.
        return retry("get", key, () -> inner.read(key, reader));
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        retry("put", key, () -> {
            inner.put(key, data);
            return null;
        });
    }

    @Override
    public void put(String key, Path file) throws IOException {
        retry("put", key, () -> {
            inner.put(key, file);
            return null;
        });
    }

    @Override
    public boolean exists(String key) throws IOException {
        return retry("exists", key, () -> inner.exists(key));
    }

    @Override
    public long size(String key) throws IOException {
        return retry("size", key, () -> inner.size(key));
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> file) throws IOException {
        boolean[] started = {false};
        Consumer<RemoteFile> tracking = f -> {
            started[0] = true;
            file.accept(f);
        };
        retry("list", prefix, () -> {
            try {
                inner.list(prefix, tracking);
            } catch (RemoteRetryableException e) {
                if (started[0]) {
                    throw new RemoteException(e.getMessage() + " (in the middle of the listing)", e);
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public void delete(String key) throws IOException {
        retry("delete", key, () -> {
            inner.delete(key);
            return null;
        });
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    private <T> T retry(String operation, String key, Call<T> call) throws IOException {
        long start = nanoTime.getAsLong();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (RemoteRetryableException e) {
                Duration delay = policy.delay(attempt, random.getAsDouble());
                Duration elapsed = Duration.ofNanos(nanoTime.getAsLong() - start);
                if (attempt >= policy.maxAttempts() || elapsed.plus(delay).compareTo(policy.maxTotal()) > 0) {
                    throw new RemoteRetryableException(e.getMessage() + " (gave up after " + attempt
                            + (attempt == 1 ? " attempt)" : " attempts)"), e);
                }
                stats.addRetry();
                LOG.warn("{} {} on {} failed, retrying in {} ms (attempt {} of {}): {}", operation, key,
                        inner.describe(), delay.toMillis(), attempt + 1, policy.maxAttempts(), e.getMessage());
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new RemoteException(operation + " " + key + " was interrupted while waiting to retry", e);
                }
            }
        }
    }
}
