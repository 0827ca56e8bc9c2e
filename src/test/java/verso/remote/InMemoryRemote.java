package verso.remote;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A remote held in memory, keeping the {@link Remote} contract; counts requests for tests. Its clock,
 * which stamps each value's time of writing, starts at the time of creation and moves only when a
 * test {@link #advance advances} it.
 */
public final class InMemoryRemote implements Remote {
    private record Value(byte[] data, Instant modified) {
    }

    private final ConcurrentSkipListMap<String, Value> values = new ConcurrentSkipListMap<>();
    private volatile Instant now = Instant.now();
    public final AtomicLong gets = new AtomicLong();
    public final AtomicLong puts = new AtomicLong();

    /** Moves the remote's clock forward. */
    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        gets.incrementAndGet();
        byte[] v = value(key).data;
        int from = (int) Math.min(offset, v.length);
        int to = length < 0 ? v.length : (int) Math.min(v.length, offset + length);
        return new ByteArrayInputStream(v, from, to - from);
    }

    @Override
    public void put(String key, byte[] data) {
        puts.incrementAndGet();
        values.put(key, new Value(data.clone(), now));
    }

    @Override
    public void put(String key, Path file) throws IOException {
        put(key, Files.readAllBytes(file));
    }

    @Override
    public boolean exists(String key) {
        return values.containsKey(key);
    }

    @Override
    public long size(String key) throws IOException {
        return value(key).data.length;
    }

    private Value value(String key) throws RemoteNotFoundException {
        Value v = values.get(key);
        if (v == null) {
            throw new RemoteNotFoundException(key);
        }
        return v;
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> file) {
        values.tailMap(prefix).entrySet().stream().takeWhile(e -> e.getKey().startsWith(prefix))
                .forEach(e -> file.accept(new RemoteFile(e.getKey(), e.getValue().data.length, e.getValue().modified)));
    }

    @Override
    public void delete(String key) {
        values.remove(key);
    }

    /** Replaces a stored value without any check, to simulate corruption on the remote. */
    public void corrupt(String key, byte[] data) {
        Value old = values.get(key);
        values.put(key, new Value(data.clone(), old == null ? now : old.modified));
    }

    @Override
    public String describe() {
        return "memory";
    }
}
