package verso.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import verso.store.Hashing;
import verso.store.ObjectId;

final class BlockCacheTest {

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void get_missLoadsOnceThenHits() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(1000, 1));
        ObjectId id = Hashing.hash(data.array());
        AtomicInteger loads = new AtomicInteger();
        BlockCache.Loader loader = (k, hint) -> {
            loads.incrementAndGet();
            return data;
        };
        assertEquals(data, cache.get(id, -1, loader));
        assertEquals(data, cache.get(id, -1, loader));
        assertEquals(1, loads.get());
        BlockCache.Stats s = cache.stats();
        assertEquals(1, s.misses());
        assertEquals(1, s.hits());
        assertEquals(data, cache.getIfPresent(id));
        assertTrue(cache.getIfPresent(id).isReadOnly(), "readers share it: read-only");
    }

    @Test
    void get_failedLoadIsNotCachedAndRetried() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(10, 2));
        ObjectId id = Hashing.hash(data.array());
        AtomicInteger calls = new AtomicInteger();
        BlockCache.Loader flaky = (k, hint) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("remote down");
            }
            return data;
        };
        IOException e = assertThrows(IOException.class, () -> cache.get(id, -1, flaky));
        assertEquals("remote down", e.getMessage());
        assertFalse(cache.containsOrLoading(id));
        assertEquals(data, cache.get(id, -1, flaky));
        assertEquals(2, calls.get());
        assertEquals(1, cache.stats().loadFailures());
    }

    @Test
    void get_concurrentRequestsShareOneLoad() throws Exception {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(4096, 3));
        ObjectId id = Hashing.hash(data.array());
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        BlockCache.Loader slow = (k, hint) -> {
            loads.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                throw new IOException(ie);
            }
            return data;
        };
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ByteBuffer>> results = new ArrayList<>();
            results.add(pool.submit(() -> cache.get(id, -1, slow)));
            assertTrue(started.await(5, TimeUnit.SECONDS));
            for (int i = 0; i < 7; i++) {
                results.add(pool.submit(() -> cache.get(id, -1, slow)));
            }
            // Let the waiters reach the in-flight entry before the load completes.
            while (cache.stats().joins() < 7) {
                Thread.sleep(1);
            }
            release.countDown();
            for (Future<ByteBuffer> r : results) {
                assertEquals(data, r.get(5, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, loads.get());
    }

    @Test
    void get_claimsQueuedPrefetchAndRunsItOnce() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(100, 4));
        ObjectId id = Hashing.hash(data.array());
        AtomicInteger loads = new AtomicInteger();
        BlockCache.Loader loader = (k, hint) -> {
            loads.incrementAndGet();
            return data;
        };
        List<Runnable> queued = new ArrayList<>();
        CompletableFuture<ByteBuffer> first = cache.prefetch(id, -1, loader, queued::add);
        assertSame(first, cache.prefetch(id, -1, loader, queued::add), "already loading: same load");
        assertNull(cache.getIfPresent(id), "not loaded yet");
        assertEquals(data, cache.get(id, -1, loader));
        queued.forEach(Runnable::run);
        assertEquals(1, loads.get());
        assertEquals(1, queued.size());
        assertEquals(data, cache.join(first));
        assertTrue(cache.prefetch(id, -1, loader, queued::add).isDone(), "cached: complete at once");
    }

    @Test
    void join_runsQueuedLoadOnCallerThread() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(100, 6));
        ObjectId id = Hashing.hash(data.array());
        List<Runnable> neverRun = new ArrayList<>();
        CompletableFuture<ByteBuffer> f = cache.prefetch(id, -1, (k, hint) -> data, neverRun::add);
        assertEquals(data, cache.join(f));
        assertEquals(1, cache.stats().misses());
        assertEquals(data, cache.getIfPresent(id));
        assertTrue(cache.getIfPresent(id).isReadOnly(), "readers share it: read-only");
    }

    @Test
    void prefetch_failureIsNotCached() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(100, 5));
        ObjectId id = Hashing.hash(data.array());
        CompletableFuture<ByteBuffer> failed = cache.prefetch(id, -1, (k, hint) -> {
            throw new IOException("boom");
        }, Runnable::run);
        assertThrows(IOException.class, () -> cache.join(failed));
        assertFalse(cache.containsOrLoading(id));
        assertEquals(data, cache.get(id, -1, (k, hint) -> data));
    }

    @Test
    void get_staysWithinByteBound() throws IOException {
        long max = 4L << 20;
        BlockCache cache = new BlockCache(max, Runnable::run);
        for (int i = 0; i < 40; i++) {
            ByteBuffer data = ByteBuffer.wrap(bytes(1 << 20, i));
            ObjectId id = Hashing.hash(data.array());
            cache.get(id, -1, (k, hint) -> data);
            cache.cleanUp();
            assertTrue(cache.sizeBytes() <= max, "size " + cache.sizeBytes());
        }
        BlockCache.Stats s = cache.stats();
        assertTrue(s.evictions() >= 36, "evictions " + s.evictions());
        assertTrue(s.sizeBytes() > 0);
    }

    @Test
    void constructor_rejectsNonPositiveSize() {
        assertThrows(IllegalArgumentException.class, () -> new BlockCache(0));
    }

    @Test
    void get_tinyObjectsAreChargedAtLeastTheMinimum() throws IOException {
        long max = 1 << 20;
        BlockCache cache = new BlockCache(max, Runnable::run);
        for (int i = 0; i < 1000; i++) {
            ByteBuffer data = ByteBuffer.allocate(10).putInt(0, i);
            cache.get(Hashing.hash(data.array()), -1, (k, hint) -> data);
            cache.cleanUp();
        }
        long most = max / BlockCache.MIN_ENTRY_WEIGHT;
        assertTrue(cache.stats().evictions() >= 1000 - most, "evictions " + cache.stats().evictions());
        assertTrue(cache.sizeBytes() <= max);
    }
}
