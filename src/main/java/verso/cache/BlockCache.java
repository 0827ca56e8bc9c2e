package verso.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import verso.store.ObjectId;

/**
 * Verified object bytes by id, bounded in bytes.
 *
 * <p>Values are read-only {@link ByteBuffer}s shared by every reader; a reader copies out with
 * absolute gets and never moves a value's position. The loader decides where bytes live: the mount's
 * loader keeps blocks off the Java heap (direct buffers), so a full cache is not a heap the garbage
 * collector has to trace and compact, and an evicted block's memory goes back when its buffer is
 * collected.
 *
 * <p>Design: two maps. A Caffeine cache, weighed in bytes, holds complete objects only. A
 * concurrent map holds the loads in flight. A miss installs its load in the in-flight map
 * <em>before</em> running it, so every concurrent request for the same id — demand reads and
 * read-ahead alike — finds that load and waits on it: one fetch per object. A load that succeeds is
 * put into the cache and then leaves the in-flight map; one that fails only leaves the in-flight map,
 * so a failure is never cached and the next request retries. (Caffeine's own AsyncCache would share
 * loads too, but logs a stack trace for every failed load, and a remote outage would flood the log.)
 * A load re-checks the cache when it starts, which closes the gap between a newcomer's cache miss and
 * the moment a finishing load leaves the in-flight map.
 *
 * <p>A demand miss runs its load on the calling thread (no hand-off to a pool). A read-ahead load is
 * queued on the caller's executor; if a demand read arrives while that load is still queued, the
 * reader claims it and runs it itself, so a long prefetch queue never delays the block being read.
 *
 * <p>Caffeine's W-TinyLFU admission is scan-resistant: once the cache is full of blocks that were
 * each read many times, a block fetched ahead (seen once) loses to them and is dropped at once. So
 * {@link #prefetch} returns the load's future, and the reader that asked for it keeps it until it
 * has read the block; the cache alone never has to hold a streamed block until its first use.
 *
 * <p>The hit path is one Caffeine lookup: no allocation, no lock of ours.
 */
public final class BlockCache {
    /**
     * The least an entry is charged, however small its object: each entry also costs a few hundred
     * bytes of Java heap, so this bounds the heap the cache's entries take to a sixteenth of its size.
     */
    static final int MIN_ENTRY_WEIGHT = 4096;

    /**
     * Produces the verified bytes of an object; may throw. Runs at most once per concurrent miss.
     * {@code sizeHint} is the caller's expected size (-1 if unknown), to size buffers up front; the
     * loader must not trust it.
     */
    @FunctionalInterface
    public interface Loader {
        ByteBuffer load(ObjectId id, int sizeHint) throws IOException;
    }

    /**
     * Counters since creation. {@code hits}: served from a complete entry; {@code misses}: loaded on
     * the requesting thread; {@code joins}: waited on a load already running (often a read-ahead);
     * {@code prefetches}: loads queued by {@link #prefetch}; {@code loadFailures}: loads that threw;
     * {@code sizeBytes}: bytes held now, as weighed.
     */
    public record Stats(long hits, long misses, long joins, long prefetches, long loadFailures,
                        long evictions, long evictedBytes, long sizeBytes, long maxBytes) {
    }

    private final Cache<ObjectId, ByteBuffer> cache;
    private final ConcurrentHashMap<ObjectId, Load> inFlight = new ConcurrentHashMap<>();
    private final long maxBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder prefetches = new LongAdder();
    private final LongAdder failures = new LongAdder();

    public BlockCache(long maxBytes) {
        this(maxBytes, ForkJoinPool.commonPool());
    }

    /** {@code maintenance} runs Caffeine's eviction work; tests pass {@code Runnable::run}. */
    public BlockCache(long maxBytes, Executor maintenance) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache size must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((ObjectId id, ByteBuffer bytes) -> Math.max(bytes.capacity(), MIN_ENTRY_WEIGHT))
                .executor(maintenance)
                .recordStats()
                .build();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The object's bytes: from the cache, from a load already in flight, or by running
     * {@code loader} on this thread. A loader's {@link IOException} is rethrown as is to every
     * caller that shared the load. Pass a loader held in a field: the hit path then allocates nothing.
     */
    public ByteBuffer get(ObjectId id, int sizeHint, Loader loader) throws IOException {
        ByteBuffer bytes = cache.getIfPresent(id);
        if (bytes != null) {
            hits.increment();
            return bytes;
        }
        Load load = inFlight.get(id);
        if (load == null) {
            Load mine = new Load(id, sizeHint, loader);
            load = inFlight.putIfAbsent(id, mine);
            if (load == null) {
                load = mine;
            }
        }
        if (load.runIfUnclaimed()) {
            misses.increment();
        } else {
            joins.increment();
        }
        return load.await();
    }

    /**
     * Starts loading the object on {@code executor} unless it is cached or already loading, and
     * returns a future of its bytes to pass to {@link #join} (complete at once if cached). Holding
     * the future keeps the bytes for the holder even if the cache declines to keep them.
     */
    public CompletableFuture<ByteBuffer> prefetch(ObjectId id, int sizeHint, Loader loader, Executor executor) {
        ByteBuffer cached = cache.getIfPresent(id);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        Load load = inFlight.get(id);
        if (load != null) {
            return load;
        }
        Load mine = new Load(id, sizeHint, loader);
        load = inFlight.putIfAbsent(id, mine);
        if (load != null) {
            return load;
        }
        try {
            executor.execute(mine);
        } catch (RejectedExecutionException e) {
            // Shutting down: a reader that joins this runs it itself.
            return mine;
        }
        prefetches.increment();
        return mine;
    }

    /**
     * The bytes of a future from {@link #prefetch}: at once if loaded; if its load is still queued,
     * it runs on this thread rather than waiting for the pool; else waits for it. A failed load's
     * exception is rethrown; the caller should drop that future and retry through {@link #get}.
     */
    public ByteBuffer join(CompletableFuture<ByteBuffer> future) throws IOException {
        if (future.isDone() && !future.isCompletedExceptionally()) {
            hits.increment();
            return future.join();
        }
        if (future instanceof Load load) {
            if (load.runIfUnclaimed()) {
                misses.increment();
            } else {
                joins.increment();
            }
            return load.await();
        }
        joins.increment();
        return await(future);
    }

    /** The bytes if cached, else null. Counts nothing. */
    public ByteBuffer getIfPresent(ObjectId id) {
        return cache.getIfPresent(id);
    }

    /** True if the object is cached or being loaded. */
    public boolean containsOrLoading(ObjectId id) {
        return inFlight.containsKey(id) || cache.getIfPresent(id) != null;
    }

    /** Loads in flight or queued (read-ahead not yet started included). */
    public int loadsInFlight() {
        return inFlight.size();
    }

    /** Bytes currently held, as weighed. */
    public long sizeBytes() {
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0L);
    }

    /** Runs pending eviction work now (tests; the bound is otherwise enforced asynchronously). */
    public void cleanUp() {
        cache.cleanUp();
    }

    public void invalidateAll() {
        cache.invalidateAll();
    }

    private static ByteBuffer await(CompletableFuture<ByteBuffer> f) throws IOException {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    public Stats stats() {
        var s = cache.stats();
        return new Stats(hits.sum(), misses.sum(), joins.sum(), prefetches.sum(), failures.sum(),
                s.evictionCount(), s.evictionWeight(), sizeBytes(), maxBytes);
    }

    /** A load that runs once, on whichever thread claims it first (a pool thread or a demand reader). */
    private final class Load extends CompletableFuture<ByteBuffer> implements Runnable {
        private final ObjectId id;
        private final int sizeHint;
        private final Loader loader;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Load(ObjectId id, int sizeHint, Loader loader) {
            this.id = id;
            this.sizeHint = sizeHint;
            this.loader = loader;
        }

        @Override
        public void run() {
            runIfUnclaimed();
        }

        boolean runIfUnclaimed() {
            if (!claimed.compareAndSet(false, true)) {
                return false;
            }
            ByteBuffer bytes;
            try {
                bytes = cache.getIfPresent(id);
                if (bytes == null) {
                    bytes = loader.load(id, sizeHint);
                    if (bytes == null) {
                        throw new IOException("no bytes loaded for object " + id.shortHex());
                    }
                    bytes = bytes.asReadOnlyBuffer();
                    cache.put(id, bytes);
                }
            } catch (Throwable t) {
                failures.increment();
                inFlight.remove(id, this);
                completeExceptionally(t);
                return true;
            }
            inFlight.remove(id, this);
            complete(bytes);
            return true;
        }

        ByteBuffer await() throws IOException {
            return BlockCache.await(this);
        }
    }
}
