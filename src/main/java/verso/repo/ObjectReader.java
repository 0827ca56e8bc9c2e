package verso.repo;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import verso.cache.BlockCache;
import verso.remote.Remote;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Verified bytes of an object by id, from the local object store if it holds the object, else from
 * the remote at {@code objects/<fan-out path>}. Every byte returned hashed to its id; a mismatch is a
 * {@link CorruptObjectException} naming the object. A corrupt local copy falls back to the remote.
 * Nothing is written to the local store: reading (the mount) leaves the cache directory as it is.
 *
 * <p>{@link #read} goes through the {@link BlockCache} (one shared load per object); {@link #load}
 * does not, for callers that cache a decoded form themselves (trees, block indexes).
 */
public final class ObjectReader {
    private final ObjectStore local;
    private final Remote remote;
    private final BlockCache cache;
    private final ReadStats stats = new ReadStats();
    private final BlockCache.Loader loader = this::load;

    /** {@code local} or {@code remote} may be null (a remote-only mount; a repository without remote). */
    public ObjectReader(ObjectStore local, Remote remote, BlockCache cache) {
        if (local == null && remote == null) {
            throw new IllegalArgumentException("an object reader needs a local store or a remote");
        }
        this.local = local;
        this.remote = remote;
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    public BlockCache cache() {
        return cache;
    }

    /**
     * The object's verified bytes, through the block cache. {@code sizeHint} is the expected size
     * from verified metadata (-1 if unknown): it sizes the buffer, and remote content longer than it
     * is rejected unread. The returned array is shared: never modify it.
     */
    public byte[] read(ObjectId id, int sizeHint) throws IOException {
        return cache.get(id, sizeHint, loader);
    }

    /**
     * Starts loading the object into the block cache on {@code executor} (unless cached or loading)
     * and returns its future; pass it to {@link #join}. Holding it keeps the bytes for the holder.
     */
    public CompletableFuture<byte[]> prefetch(ObjectId id, int sizeHint, Executor executor) {
        return cache.prefetch(id, sizeHint, loader, executor);
    }

    /** The verified bytes of a {@link #prefetch} future (runs its load here if still queued). */
    public byte[] join(CompletableFuture<byte[]> future) throws IOException {
        return cache.join(future);
    }

    /** The object's verified bytes, bypassing the block cache. */
    public byte[] load(ObjectId id, int sizeHint) throws IOException {
        CorruptObjectException localCorrupt = null;
        if (local != null) {
            try {
                byte[] bytes = local.read(id);
                stats.localReads.increment();
                stats.localBytes.add(bytes.length);
                return bytes;
            } catch (MissingObjectException e) {
                // not cached locally: the remote may have it
            } catch (CorruptObjectException e) {
                stats.verificationFailures.increment();
                localCorrupt = e;
            }
        }
        if (remote == null) {
            if (localCorrupt != null) {
                throw localCorrupt;
            }
            throw new MissingObjectException(id);
        }
        return fetch(id, sizeHint);
    }

    public ReadStats.Snapshot stats() {
        return stats.snapshot(cache);
    }

    private byte[] fetch(ObjectId id, int sizeHint) throws IOException {
        String key = "objects/" + id.fanoutPath();
        byte[] bytes;
        stats.remoteGets.increment();
        try (InputStream in = remote.get(key, 0, -1)) {
            bytes = readAll(in, sizeHint);
        } catch (IOException e) {
            stats.fetchErrors.increment();
            throw e;
        }
        if (bytes == null) {
            stats.verificationFailures.increment();
            throw new CorruptObjectException(id, "the copy on " + remote.describe()
                    + " is longer than the " + sizeHint + " bytes expected");
        }
        stats.remoteBytes.add(bytes.length);
        if (!Hashing.hash(bytes).equals(id)) {
            stats.verificationFailures.increment();
            throw new CorruptObjectException(id, "the copy on " + remote.describe() + " does not match its id");
        }
        return bytes;
    }

    /**
     * Reads a stream into one array of the expected size, so a block is copied only once. Null if the
     * stream is longer than expected: the sizes come from verified trees and indexes, so such content
     * cannot be the object, and reading on would only spend memory.
     */
    private static byte[] readAll(InputStream in, int sizeHint) throws IOException {
        if (sizeHint <= 0) {
            return in.readAllBytes();
        }
        byte[] buf = new byte[sizeHint];
        int n = in.readNBytes(buf, 0, sizeHint);
        if (n < sizeHint) {
            return Arrays.copyOf(buf, n);
        }
        return in.read() < 0 ? buf : null;
    }
}
