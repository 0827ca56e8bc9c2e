package verso.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /** The bytes of a block a call handed out, after letting go of it. */
    private static ByteBuffer read(Block block) {
        ByteBuffer copy = ByteBuffer.wrap(array(block));
        block.release();
        return copy;
    }

    private static byte[] array(Block block) {
        byte[] a = new byte[block.bytes().remaining()];
        block.bytes().get(0, a);
        return a;
    }

    /** A loader that fills pooled memory with {@link #bytes}(n, seed of the id's first byte). */
    private static BlockCache.Loader pooled(BufferPool pool, int n) {
        return (k, hint) -> Block.pooled(pool.take(n).put(bytes(n, k.hex().charAt(0))).flip(), pool);
    }

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
            return Block.of(data);
        };
        assertEquals(data, read(cache.get(id, -1, loader)));
        assertEquals(data, read(cache.get(id, -1, loader)));
        assertEquals(1, loads.get());
        BlockCache.Stats s = cache.stats();
        assertEquals(1, s.misses());
        assertEquals(1, s.hits());
        assertEquals(data, read(cache.getIfPresent(id)));
        assertTrue(cache.getIfPresent(id).bytes().isReadOnly(), "readers share it: read-only");
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
            return Block.of(data);
        };
        IOException e = assertThrows(IOException.class, () -> cache.get(id, -1, flaky));
        assertEquals("remote down", e.getMessage());
        assertFalse(cache.containsOrLoading(id));
        assertEquals(data, read(cache.get(id, -1, flaky)));
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
            return Block.of(data);
        };
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Block>> results = new ArrayList<>();
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
            for (Future<Block> r : results) {
                assertEquals(data, read(r.get(5, TimeUnit.SECONDS)));
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
            return Block.of(data);
        };
        List<Runnable> queued = new ArrayList<>();
        CompletableFuture<Block> first = cache.prefetch(id, -1, loader, queued::add);
        CompletableFuture<Block> second = cache.prefetch(id, -1, loader, queued::add);
        assertNull(cache.getIfPresent(id), "not loaded yet");
        assertEquals(data, read(cache.get(id, -1, loader)));
        queued.forEach(Runnable::run);
        assertEquals(1, loads.get());
        assertEquals(1, queued.size(), "already loading: one load");
        assertEquals(data, read(cache.join(first)));
        assertEquals(data, read(cache.join(second)));
        assertTrue(cache.prefetch(id, -1, loader, queued::add).isDone(), "cached: complete at once");
    }

    @Test
    void join_runsQueuedLoadOnCallerThread() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(100, 6));
        ObjectId id = Hashing.hash(data.array());
        List<Runnable> neverRun = new ArrayList<>();
        CompletableFuture<Block> f = cache.prefetch(id, -1, (k, hint) -> Block.of(data), neverRun::add);
        assertEquals(data, read(cache.join(f)));
        assertEquals(1, cache.stats().misses());
        assertEquals(data, read(cache.getIfPresent(id)));
        assertTrue(cache.getIfPresent(id).bytes().isReadOnly(), "readers share it: read-only");
    }

    @Test
    void prefetch_failureIsNotCached() throws IOException {
        BlockCache cache = new BlockCache(1 << 20, Runnable::run);
        ByteBuffer data = ByteBuffer.wrap(bytes(100, 5));
        ObjectId id = Hashing.hash(data.array());
        CompletableFuture<Block> failed = cache.prefetch(id, -1, (k, hint) -> {
            throw new IOException("boom");
        }, Runnable::run);
        assertThrows(IOException.class, () -> cache.join(failed));
        assertFalse(cache.containsOrLoading(id));
        assertEquals(data, read(cache.get(id, -1, (k, hint) -> Block.of(data))));
    }

    @Test
    void get_staysWithinByteBound() throws IOException {
        long max = 4L << 20;
        BlockCache cache = new BlockCache(max, Runnable::run);
        for (int i = 0; i < 40; i++) {
            ByteBuffer data = ByteBuffer.wrap(bytes(1 << 20, i));
            ObjectId id = Hashing.hash(data.array());
            cache.get(id, -1, (k, hint) -> Block.of(data)).release();
            cache.cleanUp();
            assertTrue(cache.sizeBytes() <= max, "size " + cache.sizeBytes());
        }
        BlockCache.Stats s = cache.stats();
        assertTrue(s.evictions() >= 36, "evictions " + s.evictions());
        assertTrue(s.sizeBytes() > 0);
    }

    @Test
    void get_evictedBlockKeepsItsBytesUntilItsLastHolderLetsGo() throws IOException {
        int n = 64 << 10;
        BufferPool pool = new BufferPool(n, 4);
        BlockCache cache = new BlockCache(2L * n, Runnable::run);
        ObjectId held = Hashing.hash(bytes(1, 0));
        Block block = cache.get(held, n, pooled(pool, n));
        byte[] expected = bytes(n, held.hex().charAt(0));
        cache.invalidateAll(); // the cache lets go; this reader still holds the block
        for (int i = 1; i <= 8; i++) {
            cache.get(Hashing.hash(bytes(1, i)), n, pooled(pool, n)).release();
            cache.invalidateAll();
        }
        assertTrue(pool.reuses() >= 7, "released blocks' memory is reused: " + pool.reuses());
        assertArrayEquals(expected, array(block), "a held block is never reused under its reader");
        block.release();
        assertFalse(block.retain(), "let go by every holder");
        long before = pool.reuses();
        ObjectId next = Hashing.hash(bytes(1, 99));
        cache.get(next, n, pooled(pool, n)).release();
        assertEquals(before + 1, pool.reuses());
    }

    @Test
    void evictColdest_letsGoOfAtLeastTheBytesAsked() throws IOException {
        int n = 64 << 10;
        BufferPool pool = new BufferPool(n, 8);
        BlockCache cache = new BlockCache(100L * n, Runnable::run);
        Block held = null;
        for (int i = 0; i < 5; i++) {
            Block b = cache.get(Hashing.hash(bytes(1, i)), n, pooled(pool, n));
            if (i == 0) {
                held = b; // a reader still holds the coldest block
            } else {
                b.release();
            }
        }
        assertTrue(cache.evictColdest(2L * n));
        assertEquals(3L * n, cache.sizeBytes());
        assertEquals(1, pool.idle(), "the block a reader holds keeps its memory; the other comes back");
        held.release();
        assertEquals(2, pool.idle());
        assertTrue(cache.evictColdest(1));
        assertEquals(2L * n, cache.sizeBytes(), "at least one block, however few bytes are asked");
        cache.invalidateAll();
        assertFalse(cache.evictColdest(n), "nothing left to let go of");
    }

    @Test
    void prefetch_holdsABlockTheCacheDeclines() throws IOException {
        int n = 64 << 10;
        BufferPool pool = new BufferPool(n, 4);
        BlockCache cache = new BlockCache(n / 2, Runnable::run); // smaller than the block: never kept
        ObjectId id = Hashing.hash(bytes(1, 7));
        CompletableFuture<Block> f = cache.prefetch(id, n, pooled(pool, n), Runnable::run);
        cache.cleanUp();
        assertNull(cache.getIfPresent(id), "the cache declined it");
        Block block = cache.join(f);
        assertArrayEquals(bytes(n, id.hex().charAt(0)), array(block), "the future still holds it");
        block.release();
        assertEquals(0, pool.idle());
        BlockCache.release(f);
        assertEquals(1, pool.idle(), "released by its last holder, the memory waits for the next block");
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
            cache.get(Hashing.hash(data.array()), -1, (k, hint) -> Block.of(data)).release();
            cache.cleanUp();
        }
        long most = max / BlockCache.MIN_ENTRY_WEIGHT;
        assertTrue(cache.stats().evictions() >= 1000 - most, "evictions " + cache.stats().evictions());
        assertTrue(cache.sizeBytes() <= max);
    }
}
