package verso.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Wraps a remote and injects faults: the next N calls fail with a chosen exception, the next N gets
 * return corrupted bytes, or streams break after some bytes. Counts every call it sees.
 */
public final class FaultyRemote implements Remote {
    private final Remote inner;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger corruptions = new AtomicInteger();
    private final AtomicInteger brokenStreams = new AtomicInteger();
    private final AtomicInteger brokenLists = new AtomicInteger();
    private volatile long streamBytesBeforeBreak;
    private volatile int listKeysBeforeBreak;
    private volatile Supplier<IOException> failure;

    public FaultyRemote(Remote inner) {
        this.inner = inner;
    }

    /** The next {@code n} calls of any kind fail with a fresh exception from {@code failure}. */
    public FaultyRemote failNext(int n, Supplier<IOException> failure) {
        this.failure = failure;
        failures.set(n);
        return this;
    }

    /** The next {@code n} gets return their bytes with the first one flipped. */
    public FaultyRemote corruptNextGets(int n) {
        corruptions.set(n);
        return this;
    }

    /** The streams of the next {@code n} gets fail with a retryable error after {@code bytes} bytes. */
    public FaultyRemote breakNextStreams(int n, long bytes) {
        streamBytesBeforeBreak = bytes;
        brokenStreams.set(n);
        return this;
    }

    /** The next {@code n} lists fail with a retryable error after handing out {@code keys} keys. */
    public FaultyRemote breakNextLists(int n, int keys) {
        listKeysBeforeBreak = keys;
        brokenLists.set(n);
        return this;
    }

    public static RemoteRetryableException retryable() {
        return new RemoteRetryableException("injected: connection reset", new IOException("reset"));
    }

    /** Calls seen, failed or not. */
    public int calls() {
        return calls.get();
    }

    private void maybeFail() throws IOException {
        calls.incrementAndGet();
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw failure.get();
        }
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        maybeFail();
        InputStream in = inner.get(key, offset, length);
        if (corruptions.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            in = new Corrupting(in);
        }
        if (brokenStreams.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            in = new Breaking(in, streamBytesBeforeBreak);
        }
        return in;
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        maybeFail();
        inner.put(key, data);
    }

    @Override
    public void put(String key, Path file) throws IOException {
        maybeFail();
        inner.put(key, file);
    }

    @Override
    public boolean exists(String key) throws IOException {
        maybeFail();
        return inner.exists(key);
    }

    @Override
    public long size(String key) throws IOException {
        maybeFail();
        return inner.size(key);
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> key) throws IOException {
        maybeFail();
        if (brokenLists.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
            inner.list(prefix, key);
            return;
        }
        int[] handedOut = {0};
        try {
            inner.list(prefix, k -> {
                if (handedOut[0]++ == listKeysBeforeBreak) {
                    throw new IllegalStateException("break");
                }
                key.accept(k);
            });
        } catch (IllegalStateException e) {
            throw retryable();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        maybeFail();
        inner.delete(key);
    }

    @Override
    public String describe() {
        return "faulty " + inner.describe();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    private static final class Corrupting extends FilterInputStream {
        private boolean first = true;

        Corrupting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0 && first) {
                b[off] ^= 0x5a;
                first = false;
            }
            return n;
        }
    }

    private static final class Breaking extends FilterInputStream {
        private long left;

        Breaking(InputStream in, long left) {
            super(in);
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (left <= 0) {
                throw retryable();
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
