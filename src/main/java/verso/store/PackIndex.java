package verso.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The index of a pack: the objects a pack holds, in the order they sit in it, with their sizes. An
 * object's offset in the pack is the sum of the sizes before it; the pack is exactly the objects'
 * bytes end to end, so its size is the sum of all. The index is itself an object, content-addressed,
 * and names its pack by the pack's id (the SHA-256 of the pack's bytes).
 *
 * <p>Design: a pack of small files lists 100,000 ids, and a reader keeps the indexes of every pack
 * it reads, so an index is one table, no object per id: the ids in pack order (32 bytes each), the
 * offsets (8 bytes each, and the pack's size), and the positions in ascending id order (4 bytes each),
 * by which {@link #position} finds an id by binary search. The table is a heap array, or, for a
 * reader that must not hold a million files' indexes on its heap (the mount), a file mapped into
 * memory ({@link #decode(ObjectId, InputStream, Path)}): the kernel pages in what the searches touch
 * and can drop it again. The mapped file is unlinked as soon as it is mapped, so nothing is left
 * behind, whatever ends the process; the table was checked when the index was decoded, and every
 * object found through it is still verified against its id before use.
 * Before it searches, a bit table (on the heap, one or two bytes an id) answers most lookups of ids
 * the pack does not hold: ids are spread evenly, so a table of about eight bits an id, each set if
 * some id begins with its bucket's leading bits, turns away nine in ten of them (a push and a reader
 * look each object up in many indexes).
 */
public final class PackIndex {
    public static final String KIND = "pack";
    /** Bits of {@link #filter} an id, at least (a power of two in all). */
    private static final int FILTER_BITS_PER_ID = 8;
    private static final HexFormat HEX = HexFormat.of();
    /** Bytes of the table per object: its id, its offset and its place in the sorted order. */
    static final int BYTES_PER_OBJECT = ObjectId.LENGTH + Long.BYTES + Integer.BYTES;
    /** The most objects one index may list: its table must fit one buffer. */
    static final int MAX_OBJECTS = (Integer.MAX_VALUE - Long.BYTES) / BYTES_PER_OBJECT;

    private final ObjectId pack;
    private final int count;
    /**
     * The ids in pack order ({@link ObjectId#LENGTH} bytes each) from 0, then {@code count + 1} offsets
     * (the last is the pack's size) from {@link #offsetsAt}, then {@code count} positions in ascending id
     * order from {@link #sortedAt}. Only absolute reads, so threads may share it.
     */
    private final ByteBuffer table;
    private final int offsetsAt;
    private final int sortedAt;
    /** One bit a bucket of ids by their leading bits: set if the pack holds an id in the bucket. */
    private final long[] filter;
    /** How far an id's leading int is shifted to give its bucket. */
    private final int filterShift;

    private PackIndex(ObjectId pack, int count, ByteBuffer table, long[] filter, int filterShift) {
        this.pack = pack;
        this.count = count;
        this.table = table;
        this.filter = filter;
        this.filterShift = filterShift;
        this.offsetsAt = count * ObjectId.LENGTH;
        this.sortedAt = offsetsAt + (count + 1) * Long.BYTES;
    }

    /**
     * An index of the {@code count} ids laid end to end in {@code ids} with these offsets (one more than
     * ids, the first 0, none smaller than the one before): checks them and sorts the ids.
     */
    private static PackIndex build(ObjectId pack, byte[] ids, int count, long[] offsets, Path mapDir)
            throws IOException {
        if (count > MAX_OBJECTS) {
            throw new IllegalArgumentException("a pack index of more than " + MAX_OBJECTS + " objects");
        }
        if (offsets.length < count + 1 || offsets[0] != 0) {
            throw new IllegalArgumentException("a pack index needs one offset per object and the pack size");
        }
        for (int i = 0; i < count; i++) {
            if (offsets[i + 1] < offsets[i]) {
                throw new IllegalArgumentException("pack offsets must not decrease");
            }
        }
        int size = (int) tableSize(count);
        ByteBuffer table = mapDir == null ? ByteBuffer.wrap(new byte[size]) : mappedTable(mapDir, size);
        table.put(0, ids, 0, count * ObjectId.LENGTH);
        int offsetsAt = count * ObjectId.LENGTH;
        for (int i = 0; i <= count; i++) {
            table.putLong(offsetsAt + i * Long.BYTES, offsets[i]);
        }
        int[] sorted = sortedPositions(ids, count);
        int sortedAt = offsetsAt + (count + 1) * Long.BYTES;
        for (int i = 0; i < count; i++) {
            if (i > 0 && compare(ids, sorted[i - 1], sorted[i]) == 0) {
                throw new IllegalArgumentException("an object twice in one pack");
            }
            table.putInt(sortedAt + i * Integer.BYTES, sorted[i]);
        }
        return withFilter(pack, count, table);
    }

    /** The index over a table laid out as {@link #table} describes, with its {@link #filter} built. */
    private static PackIndex withFilter(ObjectId pack, int count, ByteBuffer table) {
        int bits = Math.max(64, Integer.highestOneBit(Math.max(1, count) * FILTER_BITS_PER_ID - 1) << 1);
        int filterShift = Integer.SIZE - Integer.numberOfTrailingZeros(bits);
        long[] filter = new long[bits >>> 6];
        for (int i = 0; i < count; i++) {
            int b = table.getInt(i * ObjectId.LENGTH) >>> filterShift;
            filter[b >>> 6] |= 1L << b;
        }
        return new PackIndex(pack, count, table, filter, filterShift);
    }

    /** The bytes of a table of {@code count} objects. */
    static long tableSize(int count) {
        return (long) count * BYTES_PER_OBJECT + Long.BYTES;
    }

    /**
     * An index over a table of {@code count} objects already laid out (a local pack's index file, mapped):
     * only its size is checked here. A table whose ids are out of order makes objects missing, and one whose
     * offsets lie makes them fail their hash, never wrong; {@link #check} finds either.
     */
    static PackIndex ofTable(ObjectId pack, int count, ByteBuffer table) {
        if (count < 0 || count > MAX_OBJECTS || table.capacity() != tableSize(count)) {
            throw new IllegalArgumentException("a pack index table of " + table.capacity() + " bytes for " + count
                    + " objects");
        }
        return withFilter(pack, count, table);
    }

    /** The table, read only, to be written out as it is (a local pack's index file). */
    ByteBuffer table() {
        return table.asReadOnlyBuffer().clear();
    }

    /**
     * Why the table is inconsistent (offsets that decrease, positions that do not sort the ids, an id found
     * at another position than its own), or null if it is whole.
     */
    public String check() {
        for (int i = 0; i < count; i++) {
            if (offset(i + 1) < offset(i)) {
                return "its offsets decrease at object " + i;
            }
            int at = table.getInt(sortedAt + i * Integer.BYTES);
            if (at < 0 || at >= count) {
                return "its sorted order names object " + at + " of " + count;
            }
            if (position(id(at)) != at) {
                return "object " + at + " cannot be found by its id";
            }
        }
        return offset(0) == 0 ? null : "its first offset is " + offset(0);
    }

    /**
     * A table of {@code size} bytes in a file of {@code dir} mapped into memory; the file is removed once
     * mapped, and the mapping lives until the index is collected.
     */
    private static ByteBuffer mappedTable(Path dir, int size) throws IOException {
        Path file = Files.createTempFile(dir, "pack-index-", ".tmp");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Whether the table is a mapped file rather than a heap array. */
    public boolean isMapped() {
        return table.isDirect();
    }

    /**
     * Whether an object belongs with the metadata a listing reads (trees, block indexes, versions),
     * which a push packs apart from file data. Judged by how the bytes open; a blob that looks the same
     * is merely packed with the metadata.
     */
    public static boolean isMetadata(byte[] bytes) {
        return CanonicalJson.isStructured(bytes);
    }

    /** An index of objects laid end to end with these sizes. */
    public static PackIndex of(ObjectId pack, List<ObjectId> ids, List<Long> sizes) {
        if (ids.size() != sizes.size()) {
            throw new IllegalArgumentException("a pack index needs one size per object");
        }
        if (ids.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("a pack index of more than " + MAX_OBJECTS + " objects");
        }
        byte[] table = new byte[ids.size() * ObjectId.LENGTH];
        long[] offsets = new long[ids.size() + 1];
        for (int i = 0; i < ids.size(); i++) {
            ids.get(i).copyTo(table, i * ObjectId.LENGTH);
            if (sizes.get(i) < 0) {
                throw new IllegalArgumentException("negative object size in a pack");
            }
            offsets[i + 1] = Math.addExact(offsets[i], sizes.get(i));
        }
        try {
            return build(pack, table, ids.size(), offsets, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a table on the heap does no I/O
        }
    }

    public ObjectId pack() {
        return pack;
    }

    /** The ids in pack order: a view that makes each {@link ObjectId} when it is asked for. */
    public List<ObjectId> ids() {
        return new IdList();
    }

    /** The id at position {@code i} in the pack. */
    public ObjectId id(int i) {
        Objects.checkIndex(i, count);
        return ObjectId.fromTable(table, i * ObjectId.LENGTH);
    }

    /** The position of {@code id} in the pack, or -1 if the pack does not hold it. */
    public int position(ObjectId id) {
        int b = id.leadingInt() >>> filterShift;
        if ((filter[b >>> 6] & (1L << b)) == 0) {
            return -1;
        }
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int at = table.getInt(sortedAt + mid * Integer.BYTES);
            if (at < 0 || at >= count) {
                return -1; // a damaged table (see check)
            }
            int c = id.compareTo(table, at * ObjectId.LENGTH);
            if (c == 0) {
                return at;
            }
            if (c > 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    public boolean contains(ObjectId id) {
        return position(id) >= 0;
    }

    public int count() {
        return count;
    }

    public long packSize() {
        return offset(count);
    }

    public long offset(int i) {
        Objects.checkIndex(i, count + 1);
        return table.getLong(offsetsAt + i * Long.BYTES);
    }

    public long size(int i) {
        Objects.checkIndex(i, count);
        return offset(i + 1) - offset(i);
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            g.writeStringField("pack", pack.hex());
            g.writeArrayFieldStart("ids");
            for (int i = 0; i < count; i++) {
                g.writeString(id(i).hex());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("sizes");
            for (int i = 0; i < count; i++) {
                g.writeNumber(size(i));
            }
            g.writeEndArray();
        });
    }

    public static PackIndex decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        try {
            return decode(id, new ByteArrayInputStream(bytes), null);
        } catch (CorruptObjectException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // parsing bytes in memory does no I/O
        }
    }

    /**
     * As {@link #decode(ObjectId, byte[])}, as the bytes stream in: a remote's index of 100,000 objects
     * (7 MB of text) is never held whole beside its table. The table is kept in a file of {@code mapDir}
     * mapped into memory, or on the heap if {@code mapDir} is null: a reader of a version of a million
     * small files (the mount) keeps its indexes (44 bytes an object) off its heap this way, and the
     * kernel pages in what the searches touch. The caller must not use the index before it has checked
     * the bytes against {@code id}; failures of the stream are thrown as they are.
     */
    public static PackIndex decode(ObjectId id, InputStream in, Path mapDir) throws IOException {
        var fields = new Object() {
            ObjectId pack;
            byte[] ids;
            int count = -1;
            long[] offsets; // offsets[0] is 0, offsets[i + 1] the end of object i
            int sizeCount = -1;
        };
        CanonicalJson.decode(id, in, KIND, (field, p) -> {
            switch (field) {
                case "pack" -> fields.pack = CanonicalJson.objectId(id, p, field);
                case "ids" -> {
                    fields.ids = new byte[64 * ObjectId.LENGTH];
                    fields.count = 0;
                    CanonicalJson.array(id, p, field, e -> {
                        String hex = CanonicalJson.text(e);
                        if (hex == null || !ObjectId.isValidHex(hex)) {
                            throw new CorruptObjectException(id, "invalid or repeated object id in pack index");
                        }
                        if ((fields.count + 1) * ObjectId.LENGTH > fields.ids.length) {
                            fields.ids = Arrays.copyOf(fields.ids, fields.ids.length * 2);
                        }
                        byte[] b = HEX.parseHex(hex);
                        System.arraycopy(b, 0, fields.ids, fields.count * ObjectId.LENGTH, ObjectId.LENGTH);
                        fields.count++;
                    });
                }
                case "sizes" -> {
                    fields.offsets = new long[65];
                    fields.sizeCount = 0;
                    CanonicalJson.array(id, p, field, e -> {
                        long size = CanonicalJson.nonNegative(e);
                        if (size < 0) {
                            throw new CorruptObjectException(id, "invalid size in pack index");
                        }
                        if (fields.sizeCount + 1 == fields.offsets.length) {
                            fields.offsets = Arrays.copyOf(fields.offsets, fields.offsets.length * 2);
                        }
                        long[] o = fields.offsets;
                        try {
                            o[fields.sizeCount + 1] = Math.addExact(o[fields.sizeCount], size);
                        } catch (ArithmeticException overflow) {
                            throw new CorruptObjectException(id, "malformed pack index: sizes overflow");
                        }
                        fields.sizeCount++;
                    });
                }
                default -> p.skipChildren();
            }
        });
        ObjectId pack = CanonicalJson.required(id, fields.pack, "pack");
        byte[] ids = CanonicalJson.required(id, fields.ids, "ids");
        long[] offsets = CanonicalJson.required(id, fields.offsets, "sizes");
        if (fields.count != fields.sizeCount) {
            throw new CorruptObjectException(id, "pack index has " + fields.count + " ids and " + fields.sizeCount
                    + " sizes");
        }
        try {
            return build(pack, ids, fields.count, offsets, mapDir);
        } catch (IllegalArgumentException e) {
            String why = e.getMessage() != null && e.getMessage().contains("twice")
                    ? "invalid or repeated object id in pack index" : "malformed pack index: " + e.getMessage();
            throw new CorruptObjectException(id, why);
        }
    }

    private static int compare(byte[] ids, int a, int b) {
        return Arrays.compareUnsigned(ids, a * ObjectId.LENGTH, (a + 1) * ObjectId.LENGTH,
                ids, b * ObjectId.LENGTH, (b + 1) * ObjectId.LENGTH);
    }

    /** The positions 0..count-1 ordered by id: a merge sort over ints, so no object is made per id. */
    private static int[] sortedPositions(byte[] ids, int count) {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = i;
        }
        int[] tmp = new int[count];
        for (int width = 1; width < count; width *= 2) {
            for (int lo = 0; lo < count - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, count);
                if (compare(ids, a[mid - 1], a[mid]) <= 0) {
                    continue; // already in order
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    tmp[k++] = compare(ids, a[i], a[j]) <= 0 ? a[i++] : a[j++];
                }
                while (i < mid) {
                    tmp[k++] = a[i++];
                }
                while (j < hi) {
                    tmp[k++] = a[j++];
                }
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
        return a;
    }

    private final class IdList extends AbstractList<ObjectId> implements RandomAccess {
        @Override
        public ObjectId get(int i) {
            return id(i);
        }

        @Override
        public int size() {
            return count;
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof ObjectId id && position(id) >= 0;
        }
    }

    @Override
    public boolean equals(Object o) {
        // the sorted positions follow from the ids
        return o instanceof PackIndex p && pack.equals(p.pack) && count == p.count
                && table.duplicate().limit(sortedAt).equals(p.table.duplicate().limit(p.sortedAt));
    }

    @Override
    public int hashCode() {
        return pack.hashCode() * 31 + count;
    }

    @Override
    public String toString() {
        return "PackIndex[pack=" + pack.shortHex() + ", objects=" + count + ", size=" + packSize() + "]";
    }
}
