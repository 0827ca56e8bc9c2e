package verso.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import verso.cache.Block;
import verso.cache.BlockCache;
import verso.cache.BufferPool;
import verso.cache.DiskCache;
import verso.remote.Remote;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.DaemonThreads;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.PackLocator;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * The mount's data path: trees and file bytes by id, verified, through the block cache.
 *
 * <p>Design (after restic's and mountpoint-s3's readers):
 * <ul>
 *   <li>Reads are stateless. A file of one block is one blob; a larger file's {@link BlockIndex}
 *       is loaded once at open. A read at an offset finds its block by division (all blocks but
 *       the last have the index's block size), takes the block's verified bytes from the
 *       {@link verso.cache.BlockCache} — which loads a missing block once, however many readers
 *       ask — and copies out, moving to the next block when the read spans two.</li>
 *   <li>Each open chunked file has a {@link ReadAhead}. It is told of every read before the read
 *       waits for its own block, so the next blocks are already being fetched (on this reader's
 *       pool, at most {@code prefetchThreads} at a time) while the current one arrives. Its window
 *       is capped at a quarter of the cache. The open file holds the futures of what it fetched
 *       ahead, and the block it reads now, because Caffeine's scan-resistant admission may drop a
 *       block seen only once: without that, a file larger than the cache would be fetched twice.
 *       Blocks held ahead are bounded for all files together by a read-ahead budget in bytes: a
 *       block the budget cannot pay for is not fetched ahead (the reader fetches it on demand).
 *       So memory beyond the cache bound is the budget plus one block per open file. When a block
 *       being read finds no memory left (the cache has none to give back), open files let go of
 *       the blocks they hold, and the read waits for reads in progress to finish their copies: many
 *       files read at once through a small cache slow down rather than fail.</li>
 *   <li>The hit path — a kernel read of the block being read — is a division, a field read and a
 *       hold taken for the caller, who is handed the range of the cached block itself (the mount
 *       writes it to the kernel from there, with no copy of its own) and lets go of the hold when
 *       done: no allocation and no lock.</li>
 *   <li>Blocks are {@link Block}s: every reader holds the block it reads from, so the memory of a
 *       block the cache evicted is reused for the next block only once nobody reads it.</li>
 *   <li>Decoded trees and block indexes are kept in small caches of their own, weighed by entry
 *       count; their raw bytes bypass the block cache.</li>
 *   <li>A failed or corrupt block fails that read only: nothing failed is cached, and other reads,
 *       and later reads of the same block, start afresh.</li>
 * </ul>
 */
public final class BlockReader implements ContentSource, Closeable {
    public static final int DEFAULT_PREFETCH_THREADS = 16;
    public static final int DEFAULT_MAX_WINDOW_BLOCKS = 16;
    /** Bytes of blocks held ahead of their readers, all open files together. */
    public static final int DEFAULT_READ_AHEAD_BYTES = 64 << 20;
    /** Bound of the decoded tree and index caches, in tree entries and block ids respectively. */
    static final long METADATA_WEIGHT = 250_000;

    private final ObjectReader objects;
    private final Executor prefetchExecutor;
    private final ExecutorService ownedPool;
    private final int maxWindowBlocks;
    /** Bytes still free in the read-ahead budget; a block fetched ahead holds its length until dropped. */
    private final Semaphore readAheadBudget;
    /** Subtrees fetched ahead per looked-up tree, so a huge directory does not flood the pool. */
    private static final int MAX_SUBTREE_PREFETCH = 256;

    private final Cache<ObjectId, Tree> trees;
    private final Cache<ObjectId, BlockIndex> indexes;
    /** Open files that hold blocks, asked to let go of them when memory runs short. */
    private final Set<ChunkedFile> open = ConcurrentHashMap.newKeySet();

    /**
     * The part of a memory budget kept for blocks outside the cache: reads in progress, the block each
     * open file reads now, and the few buffers of released blocks kept for reuse (at most this, or a
     * quarter of the budget). Read-ahead has as much again.
     */
    static final long BLOCK_SLACK = 64L << 20;
    /** Direct memory not for blocks: the JDK's temporary socket buffers, the FUSE listing buffers. */
    static final long OTHER_DIRECT_MEMORY = 4L << 20;

    /**
     * A reader of objects from {@code local} (may be null), else {@code remote} (may be null), whose
     * blocks (cached, read ahead and being read) all fit in {@code memory} bytes, the JVM's direct
     * memory: read-ahead and reads in progress come out of it, the cache has the rest, and a little
     * stays free for the buffers the JDK and libraries allocate themselves.
     */
    public static BlockReader withMemory(ObjectStore local, Remote remote, long memory) {
        return withMemory(local, remote, new PackLocator(), null, memory);
    }

    /** As above, reading packed objects from the packs {@code packs} locates. */
    public static BlockReader withMemory(ObjectStore local, Remote remote, PackLocator packs, long memory) {
        return withMemory(local, remote, packs, null, memory);
    }

    /** As above, with a disk cache ({@code disk} may be null) between the block cache and the remote. */
    public static BlockReader withMemory(ObjectStore local, Remote remote, PackLocator packs, DiskCache disk,
                                         long memory) {
        return withMemory(local, remote, packs, disk, memory, BufferPool.Allocator.JVM);
    }

    /** As above, with the memory of whole blocks from {@code allocator}. */
    public static BlockReader withMemory(ObjectStore local, Remote remote, PackLocator packs, DiskCache disk,
                                         long memory, BufferPool.Allocator allocator) {
        int readAhead = (int) Math.min(DEFAULT_READ_AHEAD_BYTES, memory / 4);
        long slack = Math.min(BLOCK_SLACK, memory / 4);
        ObjectReader objects = new ObjectReader(local, remote, packs, disk, new BlockCache(memory - readAhead - slack),
                memory - OTHER_DIRECT_MEMORY, allocator);
        return new BlockReader(objects, DEFAULT_PREFETCH_THREADS, DEFAULT_MAX_WINDOW_BLOCKS, readAhead);
    }

    public BlockReader(ObjectReader objects) {
        this(objects, DEFAULT_PREFETCH_THREADS, DEFAULT_MAX_WINDOW_BLOCKS, DEFAULT_READ_AHEAD_BYTES);
    }

    /**
     * Owns a pool of {@code prefetchThreads} daemon threads for read-ahead, shut down by {@link #close}.
     * At most {@code readAheadBytes} of blocks are held ahead of their readers at any time.
     */
    public BlockReader(ObjectReader objects, int prefetchThreads, int maxWindowBlocks, int readAheadBytes) {
        this(objects, newPool(prefetchThreads), maxWindowBlocks, readAheadBytes, true);
    }

    /** Read-ahead runs on {@code prefetchExecutor}, which the caller owns (tests pass {@code Runnable::run}). */
    BlockReader(ObjectReader objects, Executor prefetchExecutor, int maxWindowBlocks, int readAheadBytes) {
        this(objects, prefetchExecutor, maxWindowBlocks, readAheadBytes, false);
    }

    private BlockReader(ObjectReader objects, Executor executor, int maxWindowBlocks, int readAheadBytes,
                        boolean owned) {
        if (maxWindowBlocks < 0 || readAheadBytes < 0) {
            throw new IllegalArgumentException("read-ahead window and budget must not be negative");
        }
        this.readAheadBudget = new Semaphore(readAheadBytes);
        this.objects = Objects.requireNonNull(objects, "objects");
        this.prefetchExecutor = executor;
        this.ownedPool = owned ? (ExecutorService) executor : null;
        this.maxWindowBlocks = maxWindowBlocks;
        this.trees = Caffeine.newBuilder().maximumWeight(METADATA_WEIGHT)
                .weigher((ObjectId id, Tree t) -> t.entries().size() + 1).build();
        this.indexes = Caffeine.newBuilder().maximumWeight(METADATA_WEIGHT)
                .weigher((ObjectId id, BlockIndex i) -> i.blocks().size() + 1).build();
        objects.onMemoryShortage(() -> {
            boolean any = false;
            for (ChunkedFile f : open) {
                any |= f.letGo();
            }
            return any;
        });
    }

    private static ExecutorService newPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("read-ahead needs at least one thread");
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.numbered("verso-read-ahead"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public Tree tree(ObjectId id) throws IOException {
        Tree t = loadTree(id);
        prefetchSubtrees(t);
        return t;
    }

    private Tree loadTree(ObjectId id) throws IOException {
        try {
            return trees.get(id, k -> {
                try {
                    return objects.load(k, in -> Tree.decode(k, in)); // decoded as it streams in, then verified
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * A directory that is looked up is usually listed next, and so are its subdirectories (ls -R,
     * find, a training job's glob): their trees are fetched in parallel, one level ahead of the
     * reader, instead of one remote round trip at a time. Only with the reader's own pool, so that
     * a caller-supplied executor sees just the block read-ahead it asked for.
     */
    private void prefetchSubtrees(Tree t) {
        if (ownedPool == null) {
            return;
        }
        int n = 0;
        for (TreeEntry e : t.entries()) {
            if (e.type() == EntryType.DIR && trees.getIfPresent(e.id()) == null) {
                try {
                    ownedPool.execute(() -> {
                        try {
                            loadTree(e.id());
                        } catch (IOException | RuntimeException ignored) {
                            // a reader that needs this tree loads it again and sees the error
                        }
                    });
                } catch (RejectedExecutionException closed) {
                    return;
                }
                if (++n == MAX_SUBTREE_PREFETCH) {
                    return;
                }
            }
        }
    }

    @Override
    public OpenFile open(TreeEntry file) throws IOException {
        if (file.type() != EntryType.FILE) {
            throw new IllegalArgumentException("not a file: " + file.name());
        }
        if (!file.chunked()) {
            if (file.size() > Integer.MAX_VALUE) {
                throw new CorruptObjectException(file.id(), "a single-blob file of " + file.size() + " bytes");
            }
            return new BlobFile(objects, file.id(), (int) file.size());
        }
        BlockIndex index = blockIndex(file.id());
        if (index.size() != file.size()) {
            throw new CorruptObjectException(file.id(), "block index of " + index.size()
                    + " bytes for a file recorded as " + file.size());
        }
        ChunkedFile f = new ChunkedFile(this, file.id(), index);
        open.add(f);
        return f;
    }

    /** Bytes of the read-ahead budget not spent now. */
    int readAheadBudgetLeft() {
        return readAheadBudget.availablePermits();
    }

    /** Counters of the data path, with the block cache's. */
    public ReadStats.Snapshot stats() {
        return objects.stats();
    }

    /** Stops read-ahead (queued fetches are dropped; reads already waiting on them load it themselves). */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.shutdownNow();
        }
    }

    private BlockIndex blockIndex(ObjectId id) throws IOException {
        try {
            return indexes.get(id, k -> {
                try {
                    return BlockIndex.decode(k, objects.load(k));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private int windowFor(int blockSize) {
        long cacheBlocks = objects.cache().maxBytes() / blockSize;
        return (int) Math.min(maxWindowBlocks, cacheBlocks / 4);
    }

    /** Bytes to give for a read of {@code length} at {@code offset} of a file of {@code size}. */
    private static int clamp(long offset, int length, long size) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
        }
        return offset >= size ? 0 : (int) Math.min(length, size - offset);
    }

    /** A file stored as one blob (an empty file never fetches it). */
    private static final class BlobFile implements OpenFile {
        private final ObjectReader objects;
        private final ObjectId id;
        private final int size;

        BlobFile(ObjectReader objects, ObjectId id, int size) {
            this.objects = objects;
            this.id = id;
            this.size = size;
        }

        @Override
        public int read(long offset, int length, Ranges out) throws IOException {
            int n = clamp(offset, length, size);
            if (n == 0) {
                return 0;
            }
            Block blob = objects.read(id, size);
            if (blob.bytes().limit() != size) {
                int found = blob.bytes().limit();
                blob.release();
                throw new CorruptObjectException(id, "blob of " + found + " bytes for a file of " + size);
            }
            out.add(blob, (int) offset, n);
            return n;
        }

        @Override
        public void close() {
        }
    }

    /** A block this open file holds: the one it reads now, or one fetched ahead (the future holds it). */
    private record Held(int block, CompletableFuture<Block> bytes) {
    }

    /**
     * A file stored as blocks: reads by division, read-ahead on sequential runs. The file holds the
     * blocks it fetched ahead (a ring of window + 2 slots, slot = block mod size, so the blocks ahead
     * never overwrite the one being read or the one before it) and the block it read last, since the
     * block cache may decline to keep either. Each read takes a hold of its own on each block it hands
     * on, so a block dropped from the ring or the cache meanwhile is not reused under its reader.
     */
    private static final class ChunkedFile implements OpenFile {
        private final ObjectReader objects;
        private final Set<ChunkedFile> openFiles;
        private final Semaphore budget;
        private final ObjectId indexId;
        private final BlockIndex index;
        private final List<ObjectId> blocks;
        private final long blockSize;
        private final ReadAhead readAhead;
        private final AtomicReferenceArray<Held> ahead;
        /** The block read last, with a hold of its own (not shared with the ring). */
        private final AtomicReference<Held> current = new AtomicReference<>();
        private volatile boolean closed;

        ChunkedFile(BlockReader reader, ObjectId indexId, BlockIndex index) {
            this.objects = reader.objects;
            this.openFiles = reader.open;
            this.budget = reader.readAheadBudget;
            this.indexId = indexId;
            this.index = index;
            this.blocks = index.blocks();
            this.blockSize = index.blockSize();
            int window = reader.windowFor(index.blockSize());
            Executor executor = reader.prefetchExecutor;
            if (window < 1) {
                this.readAhead = null;
                this.ahead = null;
            } else {
                this.ahead = new AtomicReferenceArray<>(window + 2);
                this.readAhead = new ReadAhead(index.blockSize(), index.size(), window, b -> fetchAhead(b, executor));
            }
        }

        @Override
        public int read(long offset, int length, Ranges out) throws IOException {
            int n = clamp(offset, length, index.size());
            if (n == 0) {
                return 0;
            }
            if (readAhead != null) {
                readAhead.onRead(offset, n);
            }
            int done = 0;
            while (done < n) {
                long pos = offset + done;
                int b = (int) (pos / blockSize);
                int within = (int) (pos - b * blockSize);
                Block block = block(b);
                int count = Math.min(n - done, block.bytes().limit() - within);
                out.add(block, within, count);
                done += count;
            }
            return n;
        }

        /** Block {@code b}, held for the caller: the current one, one fetched ahead, or read now. */
        private Block block(int b) throws IOException {
            Held held = current.get();
            boolean isCurrent = held != null && held.block() == b;
            if (!isCurrent) {
                // The block read last is let go of before waiting for another: files read at once
                // through a small cache, each holding one block while waiting for memory for the
                // next, would otherwise wait for each other.
                if (held != null && current.compareAndSet(held, null)) {
                    BlockCache.release(held.bytes());
                }
                held = ahead == null ? null : ahead.get(b % ahead.length());
                if (held != null && (held.block() != b || held.bytes().isCompletedExceptionally())) {
                    held = null; // not fetched ahead (or that fetch failed: retry it afresh)
                }
            }
            Block block = held == null ? null : objects.join(held.bytes());
            if (block == null) {
                isCurrent = false;
                block = objects.read(blocks.get(b), index.blockLength(b));
            }
            int expected = index.blockLength(b);
            int length = block.bytes().limit();
            if (length != expected) {
                block.release();
                throw new CorruptObjectException(blocks.get(b), "block " + b + " of index " + indexId.shortHex()
                        + " has " + length + " bytes, the index says " + expected);
            }
            if (!isCurrent && !closed && block.retain()) {
                Held previous = current.getAndSet(new Held(b, CompletableFuture.completedFuture(block)));
                if (previous != null) {
                    BlockCache.release(previous.bytes());
                }
                if (closed) {
                    letGo(); // closed by another thread while this read ran
                }
            }
            return block;
        }

        /**
         * Fetches block {@code b} ahead into its ring slot, first dropping the block the slot held (long
         * read by now), if the read-ahead budget pays for it; else leaves it to be read on demand.
         */
        private void fetchAhead(int b, Executor executor) {
            if (closed) {
                return;
            }
            int slot = b % ahead.length();
            drop(slot, ahead.get(slot));
            int length = index.blockLength(b);
            if (!budget.tryAcquire(length)) {
                return;
            }
            Held held = new Held(b, objects.prefetch(blocks.get(b), length, executor));
            if (!ahead.compareAndSet(slot, null, held)) {
                // a concurrent read filled the slot first and paid for it
                budget.release(length);
                BlockCache.release(held.bytes());
            } else if (closed) {
                drop(slot, held); // close may have swept the ring before this landed
            }
        }

        /** Empties a ring slot if it still holds {@code held}, letting go of its block and its budget. */
        private boolean drop(int slot, Held held) {
            if (held != null && ahead.compareAndSet(slot, held, null)) {
                budget.release(index.blockLength(held.block()));
                BlockCache.release(held.bytes());
                return true;
            }
            return false;
        }

        /** Lets go of the blocks this file holds: its current one, those fetched ahead. True if any. */
        boolean letGo() {
            boolean any = false;
            Held last = current.getAndSet(null);
            if (last != null) {
                BlockCache.release(last.bytes());
                any = true;
            }
            if (ahead != null) {
                for (int i = 0; i < ahead.length(); i++) {
                    any |= drop(i, ahead.get(i));
                }
            }
            return any;
        }

        @Override
        public void close() {
            closed = true;
            letGo();
            openFiles.remove(this);
        }
    }
}
