package verso.remote;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** A remote held in memory, keeping the {@link Remote} contract; counts requests for tests. */
public final class InMemoryRemote implements Remote {
    private final ConcurrentSkipListMap<String, byte[]> values = new ConcurrentSkipListMap<>();
    public final AtomicLong gets = new AtomicLong();
    public final AtomicLong puts = new AtomicLong();

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        gets.incrementAndGet();
        byte[] v = values.get(key);
        if (v == null) {
            throw new RemoteNotFoundException(key);
        }
        int from = (int) Math.min(offset, v.length);
        int to = length < 0 ? v.length : (int) Math.min(v.length, offset + length);
        return new ByteArrayInputStream(v, from, to - from);
    }

    @Override
    public void put(String key, byte[] data) {
        puts.incrementAndGet();
        values.put(key, data.clone());
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
        byte[] v = values.get(key);
        if (v == null) {
            throw new RemoteNotFoundException(key);
        }
        return v.length;
    }

    @Override
    public void list(String prefix, Consumer<String> key) {
        values.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(key);
    }

    @Override
    public void delete(String key) {
        values.remove(key);
    }

    /** Replaces a stored value without any check, to simulate corruption on the remote. */
    public void corrupt(String key, byte[] data) {
        values.put(key, data.clone());
    }

    @Override
    public String describe() {
        return "memory";
    }
}
