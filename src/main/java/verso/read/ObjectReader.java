package verso.read;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import verso.cache.Block;
import verso.cache.BlockCache;
import verso.cache.BufferPool;
import verso.cache.DiskCache;
import verso.remote.Remote;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.Decoder;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.PackLocator;

/**
 * Verified bytes of an object by id, from the local object store if it holds the object, else from
 * the disk cache if it has it, else from the remote at {@code objects/<fan-out path>}. Every byte
 * returned hashed to its id; a mismatch is a {@link CorruptObjectException} naming the object. A
 * corrupt local copy falls back to the disk cache and the remote; a disk cache entry that does not
 * match its id is deleted and fetched again, never served. An entry already checked by this process
 * is read without hashing it again ({@link DiskCache#trusted}).
 *
 * <p>What is fetched from the remote is written to the disk cache once verified. Nothing is written
 * to the local store: reading (the mount) leaves the project's object store as it is.
 *
 * <p>{@link #read} goes through the {@link BlockCache} (one shared load per object) and holds objects
 * off the Java heap, so the heap stays small whatever the cache size; {@link #load} does not, for
 * callers that cache a decoded form themselves (trees, block indexes). Content is hashed as it
 * streams in, so a block is copied once, from the file or the socket into its buffer.
 */
public final class ObjectReader {
    private static final int CHUNK = 64 << 10;
    /** The chunk of {@link #cacheOnDisk}'s copy from the socket to the disk cache's file. */
    private static final int STREAM_CHUNK = 256 << 10;
    /** Buffers of released blocks kept for the next blocks (16 MiB of the default size). */
    static final int IDLE_BUFFERS = 4;
    /**
     * How long a block waits for memory when readers hold all of it (many files read at once through
     * a small cache) before the read is tried over budget, and fails if the JVM has no memory left.
     */
    static final Duration MEMORY_WAIT = Duration.ofSeconds(30);

    private final ObjectStore local;
    private final Remote remote;
    /** How failures name the remote's copy of an object (made once: a remote describes itself at some cost). */
    private final String remoteCopy;
    /** Where the remote keeps objects in packs; an object it does not locate is loose. */
    private final PackLocator packs;
    private final PackWindows windows;
    private final BlockCache cache;
    private final DiskCache disk;
    private final ReadStats stats = new ReadStats();
    private final BufferPool memory;
    private final BlockCache.Loader loader = this::loadBlock;
    private final List<BooleanSupplier> holders = new CopyOnWriteArrayList<>();

    /** {@code local} or {@code remote} may be null (a remote-only mount; a repository without remote). */
    public ObjectReader(ObjectStore local, Remote remote, BlockCache cache) {
        this(local, remote, new PackLocator(), null, cache, Long.MAX_VALUE);
    }

    /**
     * Holds at most about {@code memoryBudget} bytes of blocks: past it, the cache lets go of its
     * coldest blocks to make room for the ones being read.
     */
    public ObjectReader(ObjectStore local, Remote remote, BlockCache cache, long memoryBudget) {
        this(local, remote, new PackLocator(), null, cache, memoryBudget);
    }

    /** As above, reading packed objects from the packs {@code packs} locates. */
    public ObjectReader(ObjectStore local, Remote remote, PackLocator packs, BlockCache cache, long memoryBudget) {
        this(local, remote, packs, null, cache, memoryBudget);
    }

    /** As above, with a disk cache ({@code disk} may be null) between the block cache and the remote. */
    public ObjectReader(ObjectStore local, Remote remote, DiskCache disk, BlockCache cache, long memoryBudget) {
        this(local, remote, new PackLocator(), disk, cache, memoryBudget);
    }

    /** With packs and a disk cache ({@code disk} may be null) between the block cache and the remote. */
    public ObjectReader(ObjectStore local, Remote remote, PackLocator packs, DiskCache disk, BlockCache cache,
                        long memoryBudget) {
        this(local, remote, packs, disk, cache, memoryBudget, BufferPool.Allocator.JVM);
    }

    /** As above, with the memory of whole blocks from {@code allocator}. */
    public ObjectReader(ObjectStore local, Remote remote, PackLocator packs, DiskCache disk, BlockCache cache,
                        long memoryBudget, BufferPool.Allocator allocator) {
        this.local = local;
        this.remote = remote;
        this.remoteCopy = remote == null ? null : "the copy on " + remote.describe();
        this.packs = packs;
        this.windows = new PackWindows(remote);
        this.disk = disk;
        this.cache = Objects.requireNonNull(cache, "cache");
        this.memory = new BufferPool(BlockIndex.DEFAULT_BLOCK_SIZE, allocator, IDLE_BUFFERS, memoryBudget,
                bytes -> cache.evictColdest(bytes) || letGoOfHeldBlocks(), MEMORY_WAIT);
        checkSources();
    }

    /** Reuses the memory of released blocks from {@code memory}. */
    ObjectReader(ObjectStore local, Remote remote, BlockCache cache, BufferPool memory) {
        this(local, remote, null, cache, memory);
    }

    /** As above, with a disk cache ({@code disk} may be null). */
    ObjectReader(ObjectStore local, Remote remote, DiskCache disk, BlockCache cache, BufferPool memory) {
        this.local = local;
        this.remote = remote;
        this.remoteCopy = remote == null ? null : "the copy on " + remote.describe();
        this.packs = new PackLocator();
        this.windows = new PackWindows(remote);
        this.disk = disk;
        this.cache = Objects.requireNonNull(cache, "cache");
        this.memory = memory;
        checkSources();
    }

    private void checkSources() {
        if (local == null && remote == null && disk == null) {
            throw new IllegalArgumentException("an object reader needs a local store, a disk cache or a remote");
        }
    }

    /**
     * Registers what lets go of blocks held outside the cache (open files' current blocks and blocks
     * fetched ahead) when a block being read needs memory and the cache has none left to give.
     * {@code letGo} returns true if it let go of any.
     */
    public void onMemoryShortage(BooleanSupplier letGo) {
        holders.add(letGo);
    }

    private boolean letGoOfHeldBlocks() {
        boolean any = false;
        for (BooleanSupplier h : holders) {
            any |= h.getAsBoolean();
        }
        return any;
    }

    public BlockCache cache() {
        return cache;
    }

    /**
     * The object's verified bytes, through the block cache. {@code sizeHint} is the expected size
     * from verified metadata (-1 if unknown): it sizes the buffer, and remote content longer than it
     * is rejected unread. The block is held for the caller, who must release it when done reading.
     */
    public Block read(ObjectId id, int sizeHint) throws IOException {
        return cache.get(id, sizeHint, loader);
    }

    /**
     * Starts loading the object into the block cache on {@code executor} (unless cached or loading)
     * and returns its future, which holds the block for the caller: read it with {@link #join}, let go
     * of it with {@link BlockCache#release}.
     */
    public CompletableFuture<Block> prefetch(ObjectId id, int sizeHint, Executor executor) {
        return cache.prefetch(id, sizeHint, loader, executor);
    }

    /**
     * The block of a {@link #prefetch} future, held anew for the caller, or null if the future holds
     * none (runs its load here if still queued).
     */
    public Block join(CompletableFuture<Block> future) throws IOException {
        return cache.join(future);
    }

    /** The verified bytes of an object of unknown size (a tree, a block index), bypassing the block cache. */
    public byte[] load(ObjectId id) throws IOException {
        return loadBuffer(id, -1).array(); // an unknown size is read into exactly one heap array
    }

    /**
     * The decoded form of an object of unknown size, made by {@code decoder} as the bytes stream in from
     * the local store, the disk cache or the remote (in that order, as {@link #load(ObjectId)}), so that
     * a tree of 20 MiB is never held as bytes beside its entries. The bytes are hashed on the way, and
     * the decoded form is returned only if they match {@code id}; a copy that does not is passed over
     * (a disk cache entry is deleted) as in {@link #load(ObjectId)}. What comes from the remote is
     * written to the disk cache first, if there is one, and decoded from there.
     */
    public <T> T load(ObjectId id, Decoder<T> decoder) throws IOException {
        SourceRead<T> fromDisk = (ch, size) -> {
            T decoded = Hashing.decodeVerified(id, Channels.newInputStream(ch), decoder, "the disk cache's copy");
            disk.verified(id);
            return decoded;
        };
        StreamRead<T> fromStore = (in, size) -> Hashing.decodeVerified(id, in, decoder, "the local copy");
        return loadFrom(id, fromStore, fromDisk, () -> decodeRemote(id, decoder, fromDisk));
    }

    /**
     * The remote's copy decoded: through the disk cache if it can keep it (written there, then decoded
     * with {@code fromDisk}), else as it streams in.
     */
    private <T> T decodeRemote(ObjectId id, Decoder<T> decoder, SourceRead<T> fromDisk) throws IOException {
        PackLocator.Location at = packs.locate(id);
        if (disk != null && disk.writable()) {
            long size = at != null ? at.size() : remote.size(Layout.objectKey(id));
            boolean cached;
            try {
                cached = size <= Integer.MAX_VALUE && cacheOnDisk(id, (int) size);
            } catch (CorruptObjectException e) {
                throw e;
            } catch (IOException e) {
                cached = false; // the disk cache could not keep it: read it from the remote as it comes
            }
            if (cached) {
                T decoded = fromDiskCache(id, fromDisk);
                if (decoded != null) {
                    return decoded;
                }
            }
        }
        stats.remoteGets.increment();
        try (PackWindows.Slice slice = at == null ? null : windows.open(at);
             InputStream in = at == null ? remote.get(Layout.objectKey(id), 0, -1)
                     : slice != null ? slice.stream() : windows.single(at)) {
            CountingInput counted = new CountingInput(in);
            T decoded = Hashing.decodeVerified(id, counted, decoder, remoteCopy);
            stats.remoteBytes.add(counted.count);
            return decoded;
        } catch (IOException e) {
            throw fetchFailed(e, at);
        }
    }

    /** Reads an object, verified, from an open file of {@code size} bytes (the disk cache's). */
    private interface SourceRead<T> {
        T read(FileChannel ch, long size) throws IOException;
    }

    /** Reads an object, verified, from a stream of its {@code size} bytes (the local store's). */
    private interface StreamRead<T> {
        T read(InputStream in, long size) throws IOException;
    }

    /** Reads an object, verified, from the remote. */
    private interface RemoteRead<T> {
        T read() throws IOException;
    }

    /**
     * The one order of sources, for blocks ({@link #read}) and for objects loaded whole or decoded
     * ({@link #load}): the local store, else the disk cache, else the remote. A corrupt local copy is
     * passed over, and is the failure if there is no remote to try.
     */
    private <T> T loadFrom(ObjectId id, StreamRead<T> fromLocal, SourceRead<T> fromDisk, RemoteRead<T> fromRemote)
            throws IOException {
        CorruptObjectException localCorrupt = null;
        if (local != null) {
            try (ObjectStore.Stored stored = local.openStored(id)) {
                long size = stored.size();
                T loaded = fromLocal.read(stored.in(), size);
                stats.localReads.increment();
                stats.localBytes.add(size);
                return loaded;
            } catch (MissingObjectException e) {
                // not cached locally: the remote may have it
            } catch (CorruptObjectException e) {
                stats.verificationFailures.increment();
                localCorrupt = e;
            }
        }
        if (disk != null) {
            T loaded = fromDiskCache(id, fromDisk);
            if (loaded != null) {
                return loaded;
            }
        }
        if (remote == null) {
            if (localCorrupt != null) {
                throw localCorrupt;
            }
            throw new MissingObjectException(id);
        }
        return fromRemote.read();
    }

    /**
     * The disk cache's entry read by {@code read}; null if there is none, or it cannot be read, or it
     * does not match its id (then it is deleted).
     */
    private <T> T fromDiskCache(ObjectId id, SourceRead<T> read) {
        try (FileChannel ch = disk.open(id)) {
            if (ch == null) {
                return null;
            }
            long size = ch.size();
            T loaded;
            try {
                loaded = read.read(ch, size);
            } catch (CorruptObjectException e) {
                stats.verificationFailures.increment();
                disk.remove(id);
                return null;
            }
            stats.diskReads.increment();
            stats.diskBytes.add(size);
            return loaded;
        } catch (IOException e) {
            stats.diskErrors.increment();
            return null; // the remote may still have it
        }
    }

    /** A stream that counts the bytes read through it. */
    private static final class CountingInput extends FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /**
     * Makes sure the object is on local disk, in the local store or the disk cache, fetching and
     * verifying it if not (for {@code verso prefetch}); true if it was fetched. An entry already in the
     * disk cache is not read here: it is checked when a reader first uses it. The object streams from
     * the remote into the disk cache's temp file, hashed on the way, and is published only if it
     * matches; it takes no block memory.
     */
    public boolean cacheOnDisk(ObjectId id, int size) throws IOException {
        if (disk == null) {
            throw new IllegalStateException("no disk cache to fill");
        }
        if ((local != null && local.contains(id)) || disk.contains(id)) {
            return false;
        }
        if (remote == null) {
            throw new MissingObjectException(id);
        }
        PackLocator.Location at = packs.locate(id);
        stats.remoteGets.increment();
        boolean stored;
        try (PackWindows.Slice slice = at == null ? null : windows.open(at);
             InputStream in = at == null ? remote.get(Layout.objectKey(id), 0, -1)
                     : slice != null ? slice.stream() : windows.single(at)) {
            stored = disk.put(id, size, out -> copyVerified(id, in, size, out, remoteCopy));
        } catch (IOException e) {
            throw fetchFailed(e, at);
        }
        if (!stored) {
            throw new IOException("cannot write object " + id.shortHex() + " to the disk cache " + disk.root());
        }
        stats.remoteBytes.add(size);
        return true;
    }

    /**
     * Streams an object of {@code size} bytes from {@code in} to {@code out} in large chunks (so socket
     * reads, hashing and file writes each work on long runs), hashing as it goes; throws if the content
     * is longer or shorter than {@code size} or does not hash to {@code id}. No block buffer: the bytes
     * go from the socket to the page cache through one reused array.
     */
    private static void copyVerified(ObjectId id, InputStream in, int size, WritableByteChannel out, String what)
            throws IOException {
        MessageDigest md = Hashing.sha256();
        byte[] chunk = new byte[Math.min(STREAM_CHUNK, size + 1)];
        ByteBuffer wrapped = ByteBuffer.wrap(chunk);
        long total = 0;
        int n;
        while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
            total += n;
            if (total > size) {
                throw new CorruptObjectException(id, what + " is longer than the " + size + " bytes expected");
            }
            md.update(chunk, 0, n);
            wrapped.clear().limit(n);
            while (wrapped.hasRemaining()) {
                out.write(wrapped);
            }
        }
        if (total < size) {
            throw new CorruptObjectException(id, what + " has " + total + " bytes, not " + size);
        }
        Hashing.check(id, md, what);
    }

    public ReadStats.Snapshot stats() {
        return stats.snapshot(cache, disk);
    }

    /** The disk cache, or null if there is none. */
    public DiskCache disk() {
        return disk;
    }

    private Block loadBlock(ObjectId id, int sizeHint) throws IOException {
        return Block.pooled(loadBuffer(id, sizeHint), memory);
    }

    private ByteBuffer loadBuffer(ObjectId id, int sizeHint) throws IOException {
        return loadFrom(id,
                (in, size) -> readVerified(id, in, sizeHint, size, "the local copy"),
                (ch, size) -> readDisk(id, ch, size, sizeHint),
                () -> fetch(id, sizeHint));
    }

    /** The disk cache's entry, checked against its id unless this process checked it before. */
    private ByteBuffer readDisk(ObjectId id, FileChannel ch, long size, int sizeHint) throws IOException {
        if (sizeHint >= 0 && size != sizeHint) {
            throw new CorruptObjectException(id, "the disk cache's copy has " + size + " bytes, not " + sizeHint);
        }
        if (sizeHint >= 0 && disk.trusted(id)) {
            return readTrusted(id, ch, sizeHint);
        }
        ByteBuffer bytes = readVerified(id, Channels.newInputStream(ch), sizeHint, size, "the disk cache's copy");
        disk.verified(id);
        return bytes;
    }

    /** Reads an entry this process already checked straight into its buffer. */
    private ByteBuffer readTrusted(ObjectId id, FileChannel ch, int size) throws IOException {
        ByteBuffer bytes = allocate(id, size);
        boolean kept = false;
        try {
            while (bytes.hasRemaining()) {
                if (ch.read(bytes, bytes.position()) < 0) {
                    throw new CorruptObjectException(id, "the disk cache's copy ended early");
                }
            }
            bytes.flip();
            kept = true;
            return bytes;
        } finally {
            if (!kept) {
                memory.recycle(bytes);
            }
        }
    }

    /** The remote's copy, verified, and written to the disk cache if there is one. */
    private ByteBuffer fetch(ObjectId id, int sizeHint) throws IOException {
        PackLocator.Location at = packs.locate(id);
        ByteBuffer bytes;
        stats.remoteGets.increment();
        try {
            if (at == null) {
                String key = Layout.objectKey(id);
                // an object of unknown size (a large tree) is read into one array of its size, not
                // gathered in pieces and copied: its size first, one HEAD request
                long length = sizeHint < 0 ? remote.size(key) : -1;
                try (InputStream in = remote.get(key, 0, -1)) {
                    bytes = readVerified(id, in, sizeHint, length, remoteCopy);
                }
            } else {
                try (PackWindows.Slice slice = windows.open(at)) {
                    if (slice != null) {
                        bytes = verifiedCopy(id, slice.bytes(), sizeHint, remoteCopy);
                    } else {
                        try (InputStream in = windows.single(at)) {
                            bytes = readVerified(id, in, sizeHint, at.size(), remoteCopy);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw fetchFailed(e, at);
        }
        stats.remoteBytes.add(bytes.remaining());
        if (disk != null) {
            disk.put(id, bytes);
        }
        return bytes;
    }

    /** Counts a failed fetch, dropping the window a mismatching object came from; returns it to be thrown. */
    private IOException fetchFailed(IOException e, PackLocator.Location at) {
        if (e instanceof CorruptObjectException) {
            stats.verificationFailures.increment();
            if (at != null) {
                windows.drop(at);
            }
        } else {
            stats.fetchErrors.increment();
        }
        return e;
    }

    /** A verified copy of {@code source} (its position to limit) in a buffer of its own. */
    private ByteBuffer verifiedCopy(ObjectId id, ByteBuffer source, int sizeHint, String what) throws IOException {
        if (sizeHint >= 0 && source.remaining() != sizeHint) {
            throw new CorruptObjectException(id, what + " has " + source.remaining() + " bytes, not " + sizeHint);
        }
        MessageDigest md = Hashing.sha256();
        md.update(source.duplicate());
        Hashing.check(id, md, what);
        ByteBuffer bytes = sizeHint < 0 ? ByteBuffer.allocate(source.remaining()) : allocate(id, sizeHint);
        return bytes.put(source).flip();
    }

    /**
     * Reads a stream into one buffer of the expected size, hashing as it goes, and checks the hash.
     * Content longer than {@code sizeHint} is rejected unread: the sizes come from verified trees and
     * indexes, so such content cannot be the object, and reading on would only spend memory. Without a
     * size hint the content goes to one heap array: of {@code length} bytes if the source knows its
     * length (a file's size, the remote's), so a tree of 20 MiB is not held twice while it is read.
     */
    private ByteBuffer readVerified(ObjectId id, InputStream in, int sizeHint, long length, String what)
            throws IOException {
        MessageDigest md = Hashing.sha256();
        if (sizeHint < 0) {
            byte[] all = length < 0 ? in.readAllBytes() : readExactly(id, in, length, what);
            md.update(all);
            Hashing.check(id, md, what);
            return ByteBuffer.wrap(all); // load() returns this array as is
        }
        ByteBuffer bytes = allocate(id, sizeHint);
        boolean kept = false;
        try {
            // Whole chunks, so the digest works on long runs rather than on whatever a socket read returned.
            byte[] chunk = new byte[Math.min(CHUNK, sizeHint + 1)];
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                if (n > bytes.remaining()) {
                    throw new CorruptObjectException(id, what + " is longer than the " + sizeHint + " bytes expected");
                }
                md.update(chunk, 0, n);
                bytes.put(chunk, 0, n);
            }
            bytes.flip();
            Hashing.check(id, md, what);
            kept = true;
            return bytes;
        } finally {
            if (!kept) {
                memory.recycle(bytes); // a failed read gives its memory back at once
            }
        }
    }

    /** All of {@code in}, which must be {@code length} bytes long, in one array. */
    private static byte[] readExactly(ObjectId id, InputStream in, long length, String what) throws IOException {
        if (length > Integer.MAX_VALUE - 8) {
            throw new CorruptObjectException(id, what + " is too large to read at once (" + length + " bytes)");
        }
        byte[] all = new byte[(int) length];
        int n = in.readNBytes(all, 0, all.length);
        if (n < all.length) {
            throw new CorruptObjectException(id, what + " has " + n + " bytes, not " + length);
        }
        if (in.read() >= 0) {
            throw new CorruptObjectException(id, what + " is longer than the " + length + " bytes expected");
        }
        return all;
    }

    private ByteBuffer allocate(ObjectId id, int size) throws IOException {
        try {
            return memory.take(size);
        } catch (OutOfMemoryError e) {
            // The process's block memory (cache, read-ahead, reads in progress) is spent: fail this read only.
            throw new IOException("no memory left to hold object " + id.shortHex() + ": " + e.getMessage());
        }
    }
}
