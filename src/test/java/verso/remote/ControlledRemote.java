package verso.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An {@link InMemoryRemote} whose gets can be held at a gate or made to fail, to test sharing of
 * fetches and recovery from outages, and whose existence checks of some keys can be held, to run a
 * command while another is half done.
 */
public final class ControlledRemote implements Remote {
    public final InMemoryRemote store = new InMemoryRemote();
    /** Gets that have reached the remote (held at the gate or not). */
    public final AtomicInteger arrived = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile boolean failing;
    private volatile String heldPrefix;
    private volatile CountDownLatch putReached;
    private volatile CountDownLatch putRelease;

    /** Holds every get until {@link #open} is called. */
    public void close(CountDownLatch latch) {
        gate = latch;
    }

    public void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /**
     * Holds the first existence check of a key starting with {@code prefix}: {@code reached} counts down
     * when it arrives, and it proceeds once {@code release} is counted down.
     */
    public void holdExists(String prefix, CountDownLatch reached, CountDownLatch release) {
        putReached = reached;
        putRelease = release;
        heldPrefix = prefix;
    }

    private void maybeHold(String key) throws IOException {
        String prefix = heldPrefix;
        if (prefix != null && key.startsWith(prefix)) {
            heldPrefix = null;
            putReached.countDown();
            await(putRelease);
        }
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IOException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public void failing(boolean on) {
        failing = on;
    }

    public long gets() {
        return store.gets.get();
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        arrived.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            await(g);
        }
        if (failing) {
            store.gets.incrementAndGet();
            throw new RemoteRetryableException("simulated outage reading " + key, null);
        }
        return store.get(key, offset, length);
    }

    @Override
    public void put(String key, byte[] data) {
        store.put(key, data);
    }

    @Override
    public void put(String key, Path file) throws IOException {
        store.put(key, file);
    }

    @Override
    public boolean exists(String key) throws IOException {
        maybeHold(key);
        return store.exists(key);
    }

    @Override
    public long size(String key) throws IOException {
        return store.size(key);
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> key) {
        store.list(prefix, key);
    }

    @Override
    public void delete(String key) {
        store.delete(key);
    }

    @Override
    public String describe() {
        return "controlled memory";
    }
}
