package verso.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import verso.store.Decoder;

/**
 * Bounds the requests in flight on a remote. A {@code get} holds its permit until its stream is
 * closed, because the transfer (and its HTTP connection) lasts that long, not just the call.
 */
public final class LimitedRemote implements Remote {
    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private final Remote inner;
    private final Semaphore permits;

    public LimitedRemote(Remote inner, int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("need at least one concurrent request: " + maxConcurrent);
        }
        this.inner = inner;
        this.permits = new Semaphore(maxConcurrent);
    }

    /** Permits free now, for tests and diagnostics. */
    public int available() {
        return permits.availablePermits();
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        acquire(key);
        try {
            return new Permitted(inner.get(key, offset, length));
        } catch (IOException | RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    @Override
    public <T> T read(String key, Decoder<T> reader) throws IOException {
        return limited(key, () -> inner.read(key, reader));
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        limited(key, () -> {
            inner.put(key, data);
            return null;
        });
    }

    @Override
    public void put(String key, Path file) throws IOException {
        limited(key, () -> {
            inner.put(key, file);
            return null;
        });
    }

    @Override
    public boolean exists(String key) throws IOException {
        return limited(key, () -> inner.exists(key));
    }

    @Override
    public long size(String key) throws IOException {
        return limited(key, () -> inner.size(key));
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> key) throws IOException {
        limited(prefix, () -> {
            inner.list(prefix, key);
            return null;
        });
    }

    @Override
    public void delete(String key) throws IOException {
        limited(key, () -> {
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

    private <T> T limited(String key, Call<T> call) throws IOException {
        acquire(key);
        try {
            return call.run();
        } finally {
            permits.release();
        }
    }

    private void acquire(String key) throws RemoteException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException("interrupted while waiting to request " + key, e);
        }
    }

    /** Gives the permit back exactly once, when the caller closes the stream. */
    private final class Permitted extends FilterInputStream {
        private final AtomicBoolean released = new AtomicBoolean();

        Permitted(InputStream in) {
            super(in);
        }

        @Override
        public void close() throws IOException {
            try {
                in.close();
            } finally {
                if (released.compareAndSet(false, true)) {
                    permits.release();
                }
            }
        }
    }
}
