package verso.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The local store's packs: small objects laid end to end in {@code packs/<pack id>.pack}, with their
 * index in {@code packs/<pack id>.idx}, so that a million small files are a few dozen files in the
 * store, read back in the order they were added, not a million inodes scattered over the disk.
 *
 * <p>An index file is 8 bytes of magic, the object count (4 bytes, big-endian), then the table of a
 * {@link PackIndex}: the ids in pack order, their offsets and the pack's size, the positions in id
 * order. It is mapped, not parsed: a process that looks up one object touches a few pages of it.
 * A pack is published by moving it into place, then its index; a reader lists only the indexes, so
 * it never sees a pack that is not whole. Packs are listed once, then again whenever an object is not
 * found (another process may have added one). A pack once listed is kept open for the life of the
 * process, so a reader that listed a pack gc has since removed still reads it.
 */
final class LocalPacks {
    static final String PACK = ".pack";
    static final String INDEX = ".idx";
    private static final byte[] MAGIC = "VERSOPI1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + Integer.BYTES;
    /**
     * A pack being written is closed at this many bytes or objects, whichever comes first (a remote's
     * limits too): what the writer keeps to find its objects again stays a few MiB.
     */
    static final long MAX_BYTES = 32 << 20;
    static final int MAX_OBJECTS = 25_000;

    /** A published pack: its index and its bytes, open for positional reads. */
    record Pack(ObjectId id, PackIndex index, FileChannel channel) {
    }

    /** An object's place in a pack. */
    record Location(Pack pack, int position) {
        long offset() {
            return pack.index.offset(position);
        }

        long size() {
            return pack.index.size(position);
        }
    }

    private final Path dir;
    private final Temps temps;
    private volatile List<Pack> listed;
    /** Why index files that could not be used were passed over, by file name; for {@code verify}. */
    private final Map<String, String> damaged = new HashMap<>();

    /** Makes temp files on the store's filesystem. */
    @FunctionalInterface
    interface Temps {
        Path newTemp() throws IOException;
    }

    LocalPacks(Path dir, Temps temps) {
        this.dir = dir;
        this.temps = temps;
    }

    /** The packs as last listed (listed now if they never were). */
    List<Pack> packs() throws IOException {
        List<Pack> l = listed;
        return l != null ? l : relist();
    }

    /** Where {@code id} is packed, or null; {@code relist}: list the packs again before giving up. */
    Location locate(ObjectId id, boolean relist) throws IOException {
        Location at = find(packs(), id);
        return at != null || !relist ? at : find(relist(), id);
    }

    private static Location find(List<Pack> packs, ObjectId id) {
        for (Pack p : packs) {
            int position = p.index.position(id);
            if (position >= 0) {
                return new Location(p, position);
            }
        }
        return null;
    }

    /** Lists the packs again: those still listed stay open, new ones are opened. */
    synchronized List<Pack> relist() throws IOException {
        Map<ObjectId, Pack> known = new HashMap<>();
        if (listed != null) {
            listed.forEach(p -> known.put(p.id, p));
        }
        List<Pack> now = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + INDEX)) {
                for (Path f : ds) {
                    String name = f.getFileName().toString();
                    String hex = name.substring(0, name.length() - INDEX.length());
                    if (!ObjectId.isValidHex(hex)) {
                        continue;
                    }
                    ObjectId id = ObjectId.fromHex(hex);
                    Pack p = known.get(id);
                    if (p == null) {
                        p = open(id, name);
                    }
                    if (p != null) {
                        now.add(p);
                    }
                }
            }
        }
        listed = List.copyOf(now);
        return listed;
    }

    /** Opens a listed pack; null (and a note in {@link #damaged}) if it cannot be used. */
    private Pack open(ObjectId id, String indexName) throws IOException {
        try (FileChannel idx = FileChannel.open(dir.resolve(indexName), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (header.hasRemaining() && idx.read(header, header.position()) > 0) {
                // until the header is read or the file ends
            }
            if (header.hasRemaining() || !header.flip().slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
                return damaged(indexName, "it is not a pack index");
            }
            int count = header.getInt(MAGIC.length);
            if (count < 0 || count > PackIndex.MAX_OBJECTS || idx.size() != HEADER + PackIndex.tableSize(count)) {
                return damaged(indexName, "it is " + idx.size() + " bytes long for " + count + " objects");
            }
            PackIndex index = PackIndex.ofTable(id, count,
                    idx.map(FileChannel.MapMode.READ_ONLY, HEADER, PackIndex.tableSize(count)));
            FileChannel pack;
            try {
                pack = FileChannel.open(dir.resolve(id.hex() + PACK), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return damaged(indexName, "its pack is missing");
            }
            long size = pack.size();
            if (size != index.packSize()) {
                pack.close();
                return damaged(indexName, "its pack is " + size + " bytes, not " + index.packSize());
            }
            return new Pack(id, index, pack);
        } catch (NoSuchFileException e) {
            return null; // removed since it was listed
        }
    }

    private synchronized Pack damaged(String indexName, String why) {
        damaged.put(indexName, why);
        return null;
    }

    /** The index files passed over, each with why: what {@code verify} reports. */
    synchronized Map<String, String> damaged() {
        return Map.copyOf(damaged);
    }

    /** Reads {@code length} bytes at {@code offset} of a channel (a pack, a pack being written). */
    static byte[] read(FileChannel ch, long offset, int length, ObjectId id) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(length);
        while (bb.hasRemaining()) {
            if (ch.read(bb, offset + bb.position()) < 0) {
                throw new CorruptObjectException(id, "its pack ends within it");
            }
        }
        return bb.array();
    }

    /** A stream of {@code size} bytes at {@code offset} of a pack, read with positional reads (it is shared). */
    static InputStream stream(FileChannel ch, long offset, long size) {
        return new InputStream() {
            private long at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (at == size) {
                    return -1;
                }
                int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, size - at)), offset + at);
                if (n < 0) {
                    throw new EOFException("a pack ends within an object");
                }
                at += n;
                return n;
            }
        };
    }

    /** Removes a pack: its index first, so no new reader lists it, then its bytes. */
    void remove(Pack p) throws IOException {
        Files.deleteIfExists(dir.resolve(p.id.hex() + INDEX));
        Files.deleteIfExists(dir.resolve(p.id.hex() + PACK));
        synchronized (this) {
            List<Pack> now = new ArrayList<>(listed == null ? List.of() : listed);
            now.remove(p);
            listed = List.copyOf(now);
        }
    }

    /** Removes packs without an index (a writer or gc stopped between the two); returns how many. */
    int clearUnindexed() throws IOException {
        int n = 0;
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + PACK)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    Path index = dir.resolve(name.substring(0, name.length() - PACK.length()) + INDEX);
                    if (!Files.exists(index) && Files.deleteIfExists(p)) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** Starts a pack; objects are added to it, then it is published (or discarded). */
    Writer writer() throws IOException {
        return new Writer();
    }

    /**
     * A pack being written, in a temp file: objects are appended in the order given (one thread at a
     * time), can be found and read back before it is published, and are published all at once.
     */
    final class Writer {
        private final Path temp = temps.newTemp();
        private final FileChannel out = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
        private final MessageDigest md = Hashing.sha256();
        private final ObjectIdList ids = new ObjectIdList();
        private final LongList sizes = new LongList();
        /** The offset of each object, by position. */
        private final LongList offsets = new LongList();
        /**
         * Positions + 1 by the ids' leading bits, probed linearly (0: free): finds an object appended
         * without an object per id. Twice {@link #MAX_OBJECTS} slots, so it is never more than half full.
         */
        private final int[] slots = new int[Integer.highestOneBit(MAX_OBJECTS) << 2];
        private long size;

        private Writer() throws IOException {
        }

        /** The position of {@code id}, or -1; {@code free[0]} is set to the slot it would take. */
        private int position(ObjectId id, int[] free) {
            int mask = slots.length - 1;
            for (int s = id.leadingInt() & mask; ; s = (s + 1) & mask) {
                int p = slots[s] - 1;
                if (p < 0) {
                    free[0] = s;
                    return -1;
                }
                if (ids.get(p).equals(id)) {
                    return p;
                }
            }
        }

        /** Appends an object (its bytes are left as they were); false if it holds it already. */
        synchronized boolean add(ObjectId id, ByteBuffer bytes) throws IOException {
            int[] free = new int[1];
            if (position(id, free) >= 0) {
                return false;
            }
            ByteBuffer b = bytes.duplicate();
            long at = size;
            while (b.hasRemaining()) {
                at += out.write(b, at);
            }
            md.update(bytes.duplicate());
            ids.add(id);
            offsets.add(size);
            sizes.add(at - size);
            slots[free[0]] = ids.size();
            size = at;
            return true;
        }

        synchronized boolean full() {
            return size >= MAX_BYTES || ids.size() >= MAX_OBJECTS;
        }

        /** The size of an object appended, or -1. */
        synchronized long size(ObjectId id) {
            int p = position(id, new int[1]);
            return p < 0 ? -1 : sizes.get(p);
        }

        /** The bytes of an object appended, unverified, or null. */
        synchronized byte[] read(ObjectId id) throws IOException {
            int p = position(id, new int[1]);
            return p < 0 ? null : LocalPacks.read(out, offsets.get(p), Math.toIntExact(sizes.get(p)), id);
        }

        /**
         * Moves the pack into place, then its index, and makes it known to this process's readers. A pack
         * of no object is only deleted.
         */
        synchronized void publish() throws IOException {
            try {
                out.close();
                if (ids.isEmpty()) {
                    return;
                }
                ObjectId id = ObjectId.fromBytes(md.digest());
                PackIndex index = PackIndex.of(id, ids, sizes);
                Path idx = temps.newTemp();
                try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.WRITE)) {
                    ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(ids.size()).flip();
                    ByteBuffer table = index.table();
                    while (header.hasRemaining() || table.hasRemaining()) {
                        ch.write(new ByteBuffer[] {header, table});
                    }
                }
                ObjectStore.moveIntoPlace(temp, dir.resolve(id.hex() + PACK), dir.getParent());
                ObjectStore.moveIntoPlace(idx, dir.resolve(id.hex() + INDEX), dir.getParent());
                relist();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
