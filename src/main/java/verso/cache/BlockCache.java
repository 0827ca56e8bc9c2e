package verso.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import verso.store.ObjectId;

/**
 * Verified object bytes by id, bounded in bytes.
 *
 * <p>Values are {@link Block}s shared by every reader, each with a count of holders. The cache holds
 * each block it keeps and lets go when it evicts it; every block this class hands out comes with a
 * hold for the caller, who releases it when done reading. So a block's memory is reused (see
 * {@link BufferPool}) only once it is evicted and nobody reads it. The loader decides where bytes
 * live: the mount's loader keeps blocks off the Java heap (direct buffers), so a full cache is not a
 * heap the garbage collector has to trace and compact.
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
 * {@link #prefetch} returns a future that holds the block for the reader that asked for it, until it
 * has read the block; the cache alone never has to hold a streamed block until its first use.
 *
 * <p>Holds are handed to waiters while the load itself still holds the block: a waiter registered
 * before the load completes always gets the block, even if the cache declines it at once. A waiter
 * that arrives after the load completed and finds the block already let go of loads it again.
 *
 * <p>The hit path is one Caffeine lookup and one hold: no allocation, no lock of ours.
 */
public final class BlockCache {
    /**
     * The least an entry is charged, however small its object: each entry also costs a few hundred
     * bytes of Java heap, so this bounds the heap the cache's entries take to a sixteenth of its size.
     */
    static final int MIN_ENTRY_WEIGHT = 4096;

    /**
     * Produces the verified bytes of an object, as a block held once (the hold passes to the cache);
     * may throw. Runs at most once per concurrent miss. {@code sizeHint} is the caller's expected size
     * (-1 if unknown), to size buffers up front; the loader must not trust it.
     */
    @FunctionalInterface
    public interface Loader {
        Block load(ObjectId id, int sizeHint) throws IOException;
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

    private final Cache<ObjectId, Block> cache;
    private final ConcurrentHashMap<ObjectId, Load> inFlight = new ConcurrentHashMap<>();
    private final long maxBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder joins = new LongAdder();
    private final LongAdder prefetches = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /**
     * Eviction runs on the thread that fills the cache, so an evicted block is let go of at once and
     * its memory can hold the next block.
     */
    public BlockCache(long maxBytes) {
        this(maxBytes, Runnable::run);
    }

    /** {@code maintenance} runs Caffeine's eviction work and the release of evicted blocks. */
    public BlockCache(long maxBytes, Executor maintenance) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache size must be positive, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((ObjectId id, Block block) -> Math.max(block.bytes().capacity(), MIN_ENTRY_WEIGHT))
                .executor(maintenance)
                .removalListener((ObjectId id, Block block, RemovalCause cause) -> {
                    if (block != null) {
                        block.release();
                    }
                })
                .recordStats()
                .build();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The object's block, held for the caller (who must {@link Block#release} it): from the cache,
     * from a load already in flight, or by running {@code loader} on this thread. A loader's
     * {@link IOException} is rethrown as is to every caller that shared the load. Pass a loader held
     * in a field: the hit path then allocates nothing.
     */
    public Block get(ObjectId id, int sizeHint, Loader loader) throws IOException {
        Block cached = cache.getIfPresent(id);
        if (cached != null && cached.retain()) {
            hits.increment();
            return cached;
        }
        for (;;) {
            Load load = inFlight.get(id);
            if (load == null) {
                Load mine = new Load(id, sizeHint, loader);
                load = inFlight.putIfAbsent(id, mine);
                if (load == null) {
                    load = mine;
                }
            }
            Hold held = new Hold(load);
            if (load.runIfUnclaimed()) {
                misses.increment();
            } else {
                joins.increment();
            }
            Block block = await(held);
            if (block != null) {
                return block;
            }
            // That load had finished and its block was let go before this caller could hold it: load anew.
        }
    }

    /**
     * Starts loading the object on {@code executor} unless it is cached or already loading, and
     * returns a future of its block, held for the future's owner (complete at once if cached). Pass
     * the future to {@link #join} to read, and to {@link #release} when done. Its value is null if the
     * block was let go before it could be held (read it with {@link #get} then).
     */
    public CompletableFuture<Block> prefetch(ObjectId id, int sizeHint, Loader loader, Executor executor) {
        Block cached = cache.getIfPresent(id);
        if (cached != null && cached.retain()) {
            return CompletableFuture.completedFuture(cached);
        }
        Load load = inFlight.get(id);
        if (load != null) {
            return new Hold(load);
        }
        Load mine = new Load(id, sizeHint, loader);
        load = inFlight.putIfAbsent(id, mine);
        if (load != null) {
            return new Hold(load);
        }
        Hold held = new Hold(mine);
        try {
            executor.execute(mine);
            prefetches.increment();
        } catch (RejectedExecutionException e) {
            // Shutting down: a reader that joins this runs it itself.
        }
        return held;
    }

    /**
     * The block of a future from {@link #prefetch}, held anew for the caller (who must release it),
     * or null if the future holds no block (read it with {@link #get} then). If its load is still
     * queued, it runs on this thread rather than waiting for the pool. A failed load's exception is
     * rethrown; the caller should drop that future and retry through {@link #get}.
     */
    public Block join(CompletableFuture<Block> future) throws IOException {
        if (future.isDone() && !future.isCompletedExceptionally()) {
            hits.increment();
        } else if (future instanceof Hold h && h.load.runIfUnclaimed()) {
            misses.increment();
        } else {
            joins.increment();
        }
        Block block = await(future);
        return block != null && block.retain() ? block : null;
    }

    /** Lets go of the block a future from {@link #prefetch} holds (when it completes, if it has not). */
    public static void release(CompletableFuture<Block> future) {
        future.thenAccept(block -> {
            if (block != null) {
                block.release();
            }
        });
    }

    /** The block if cached, held for the caller, else null. Counts nothing. */
    public Block getIfPresent(ObjectId id) {
        Block block = cache.getIfPresent(id);
        return block != null && block.retain() ? block : null;
    }

    /**
     * Lets go of the coldest blocks, at least {@code bytes} of them if the cache holds that much, so
     * that their memory can hold blocks being read (it is free at once unless a reader holds it).
     * False if the cache held nothing.
     */
    public boolean evictColdest(long bytes) {
        var eviction = cache.policy().eviction().orElseThrow();
        var coldest = eviction.coldestWeighted(bytes);
        if (coldest.isEmpty()) {
            coldest = eviction.coldest(1);
        }
        if (coldest.isEmpty()) {
            return false;
        }
        coldest.forEach((id, block) -> cache.asMap().remove(id, block));
        return true;
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

    private static Block await(CompletableFuture<Block> f) throws IOException {
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

    /**
     * A load that runs once, on whichever thread claims it first (a pool thread or a demand reader).
     * It holds its block until every waiter registered before it completed has taken a hold.
     */
    private final class Load extends CompletableFuture<Block> implements Runnable {
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
            Block block;
            try {
                block = cache.getIfPresent(id);
                if (block == null || !block.retain()) {
                    block = loader.load(id, sizeHint);
                    if (block == null) {
                        throw new IOException("no bytes loaded for object " + id.shortHex());
                    }
                    block.retain(); // the cache's hold, let go of when it evicts the block
                    cache.put(id, block);
                }
            } catch (Throwable t) {
                failures.increment();
                inFlight.remove(id, this);
                completeExceptionally(t);
                return true;
            }
            inFlight.remove(id, this);
            complete(block); // waiters registered by now take their holds here, while this one stands
            block.release();
            return true;
        }
    }

    /** A future of a load's block with a hold of its own, taken when the load completes. */
    private static final class Hold extends CompletableFuture<Block> {
        private final Load load;

        Hold(Load load) {
            this.load = load;
            load.whenComplete((block, error) -> {
                if (error != null) {
                    completeExceptionally(error);
                } else {
                    complete(block.retain() ? block : null);
                }
            });
        }
    }
}
