package verso.repo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import verso.remote.InMemoryRemote;
import verso.remote.Remote;
import verso.remote.RemoteRetryableException;

/**
 * An {@link InMemoryRemote} whose gets can be held at a gate or made to fail, to test sharing of
 * fetches and recovery from outages.
 */
final class ControlledRemote implements Remote {
    final InMemoryRemote store = new InMemoryRemote();
    /** Gets that have reached the remote (held at the gate or not). */
    final AtomicInteger arrived = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile boolean failing;

    /** Holds every get until {@link #open} is called. */
    void close(CountDownLatch latch) {
        gate = latch;
    }

    void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    void failing(boolean on) {
        failing = on;
    }

    long gets() {
        return store.gets.get();
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        arrived.incrementAndGet();
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(10, TimeUnit.SECONDS)) {
                    throw new IOException("gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
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
    public boolean exists(String key) {
        return store.exists(key);
    }

    @Override
    public long size(String key) throws IOException {
        return store.size(key);
    }

    @Override
    public void list(String prefix, Consumer<String> key) {
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
