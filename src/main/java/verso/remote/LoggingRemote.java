package verso.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.Decoder;

/**
 * Logs every call at debug level with its duration, and counts requests, bytes and failures into a
 * {@link RemoteStats}. It sits inside {@link RetryingRemote}, so it sees (and counts) each attempt.
 *
 * <p>A missing key is an answer, not a failure. A retryable failure is logged by the retry wrapper,
 * which knows whether it will try again. Any other failure is logged as a warning here, because on
 * some paths (a read through the mount, which the kernel sees as EIO) the log is the only place a
 * user can learn why.
 */
public final class LoggingRemote implements Remote {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingRemote.class);

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private final Remote inner;
    private final RemoteStats stats;

    public LoggingRemote(Remote inner, RemoteStats stats) {
        this.inner = inner;
        this.stats = stats;
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        InputStream in = observe("get", key, () -> inner.get(key, offset, length));
        return new Counting(in);
    }

    @Override
    public <T> T read(String key, Decoder<T> reader) throws IOException {
        return observe("get", key, () -> inner.read(key, in -> reader.decode(new Counting(in))));
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        observe("put", key, () -> {
            inner.put(key, data);
            return null;
        });
        stats.addBytesWritten(data.length);
    }

    @Override
    public void put(String key, Path file) throws IOException {
        observe("put", key, () -> {
            inner.put(key, file);
            return null;
        });
        stats.addBytesWritten(Files.size(file));
    }

    @Override
    public boolean exists(String key) throws IOException {
        return observe("exists", key, () -> inner.exists(key));
    }

    @Override
    public long size(String key) throws IOException {
        return observe("size", key, () -> inner.size(key));
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> key) throws IOException {
        observe("list", prefix, () -> {
            inner.list(prefix, key);
            return null;
        });
    }

    @Override
    public void delete(String key) throws IOException {
        observe("delete", key, () -> {
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

    private <T> T observe(String operation, String key, Call<T> call) throws IOException {
        stats.addRequest();
        long start = System.nanoTime();
        try {
            T result = call.run();
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} {} on {}: {} ms", operation, key, inner.describe(), (System.nanoTime() - start) / 1_000_000);
            }
            return result;
        } catch (RemoteNotFoundException e) {
            LOG.debug("{} {} on {}: not found", operation, key, inner.describe());
            throw e;
        } catch (RemoteRetryableException e) {
            stats.addFailure();
            LOG.debug("{} {} on {} failed: {}", operation, key, inner.describe(), e.getMessage());
            throw e;
        } catch (IOException | RuntimeException e) {
            stats.addFailure();
            LOG.warn("{} {} on {} failed: {}", operation, key, inner.describe(), e.getMessage());
            throw e;
        }
    }

    /** Counts the bytes the caller actually reads. */
    private final class Counting extends FilterInputStream {
        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                stats.addBytesRead(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                stats.addBytesRead(n);
            }
            return n;
        }
    }
}
