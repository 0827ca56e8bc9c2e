package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import verso.store.Hashing;
import verso.store.LongList;
import verso.store.ObjectId;
import verso.store.ObjectIdList;
import verso.store.ObjectStore;
import verso.store.PackIndex;

/**
 * Lays small objects end to end into pack files of about {@link #TARGET_SIZE} (or of at most
 * {@link #MAX_OBJECTS} objects), in the order they are
 * added (a push adds them in tree order, so the files of one folder sit together), and makes each
 * pack's index. Packs are temp files of the object store, deleted on close. Objects are gathered in a
 * buffer of {@link #BUFFER} bytes and written with one call per buffer, not one per object.
 */
final class PackWriter implements Closeable {
    /**
     * Objects smaller than this are packed. A GET costs a round trip (10–30 ms on S3) whatever its size;
     * at 1 MiB the transfer itself takes as long on a fast link, so larger objects gain little from
     * packing, and blocks of large files (4 MiB) stay loose, fetched and verified one by one.
     */
    static final long THRESHOLD = 1 << 20;
    /** A pack is closed once it reaches this size: tens of MiB, a few GETs to read whole. */
    static final long TARGET_SIZE = 32 << 20;
    /**
     * A pack is closed once it holds this many objects, whatever its size: its index lists each (about
     * 70 bytes of JSON an object), and a push holds the index it encodes, a reader the indexes it
     * loads; a pack of a million tiny files would have an index of 70 MiB, and one of 25,000 has
     * one under 2 MiB, which a push holds in a small heap.
     */
    static final int MAX_OBJECTS = 25_000;
    /** Bytes gathered before a write. */
    static final int BUFFER = 256 << 10;

    /** A finished pack: its file, id, index and the index's encoding and id. */
    record Pack(Path file, ObjectId id, PackIndex index, byte[] indexBytes, ObjectId indexId) {
    }

    private final ObjectStore store;
    private final List<Path> files = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    private FileChannel out;
    private MessageDigest digest;
    private Path file;
    private final List<ObjectId> ids = new ObjectIdList();
    private final List<Long> sizes = new LongList();
    private long size;

    PackWriter(ObjectStore store) {
        this.store = store;
    }

    static boolean packs(long objectSize) {
        return objectSize < THRESHOLD;
    }

    /** Appends one object, whose verified bytes are {@code bytes}; returns the pack this closed, if it did. */
    Pack add(ObjectId id, byte[] bytes) throws IOException {
        if (out == null) {
            file = store.newTemp();
            files.add(file);
            out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            digest = Hashing.sha256();
        }
        digest.update(bytes);
        if (bytes.length > buffer.remaining()) {
            drain();
        }
        if (bytes.length > buffer.remaining()) {
            writeAll(ByteBuffer.wrap(bytes));
        } else {
            buffer.put(bytes);
        }
        ids.add(id);
        sizes.add((long) bytes.length);
        size += bytes.length;
        return size >= TARGET_SIZE || ids.size() >= MAX_OBJECTS ? finish().orElseThrow() : null;
    }

    /** Closes the pack being written, if any, and returns it. */
    Optional<Pack> finish() throws IOException {
        if (out == null) {
            return Optional.empty();
        }
        drain();
        // no fsync: the file is only read back to upload it, and deleted on close
        out.close();
        out = null;
        ObjectId id = ObjectId.fromBytes(digest.digest());
        PackIndex index = PackIndex.of(id, ids, sizes);
        byte[] encoded = index.encode();
        ids.clear();
        sizes.clear();
        size = 0;
        return Optional.of(new Pack(file, id, index, encoded, Hashing.hash(encoded)));
    }

    private void drain() throws IOException {
        buffer.flip();
        writeAll(buffer);
        buffer.clear();
    }

    private void writeAll(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }
}
