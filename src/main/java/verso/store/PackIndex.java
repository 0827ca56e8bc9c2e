package verso.store;

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
 * <p>Design: a pack of small files lists a million ids, and a reader keeps the indexes of every pack
 * it reads, so the ids are held in one array (32 bytes each, no object per id) with the offsets and a
 * permutation sorting them; {@link #position} finds an id by binary search in that permutation.
 * Before it searches, a bit table answers most lookups of ids the pack does not hold: ids are spread
 * evenly, so a table of about eight bits an id, each set if some id begins with its bucket's leading
 * bits, turns away nine in ten of them (a push and a reader look each object up in many indexes) at
 * one or two bytes an id.
 */
public final class PackIndex {
    public static final String KIND = "pack";
    /** Bits of {@link #filter} an id, at least (a power of two in all). */
    private static final int FILTER_BITS_PER_ID = 8;
    private static final HexFormat HEX = HexFormat.of();

    private final ObjectId pack;
    /** The ids, in pack order, laid end to end ({@link ObjectId#LENGTH} bytes each). */
    private final byte[] ids;
    private final int count;
    /** One more element than there are ids: the last is the pack's size. */
    private final long[] offsets;
    /** The positions of the ids in ascending id order, for {@link #position}. */
    private final int[] sorted;
    /** One bit a bucket of ids by their leading bits: set if the pack holds an id in the bucket. */
    private final long[] filter;
    /** How far an id's leading int is shifted to give its bucket. */
    private final int filterShift;

    private PackIndex(ObjectId pack, byte[] ids, int count, long[] offsets) {
        this.pack = pack;
        this.ids = ids.length == count * ObjectId.LENGTH ? ids : Arrays.copyOf(ids, count * ObjectId.LENGTH);
        this.count = count;
        this.offsets = offsets;
        if (offsets.length != count + 1 || offsets[0] != 0) {
            throw new IllegalArgumentException("a pack index needs one offset per object and the pack size");
        }
        for (int i = 0; i < count; i++) {
            if (offsets[i + 1] < offsets[i]) {
                throw new IllegalArgumentException("pack offsets must not decrease");
            }
        }
        this.sorted = sortedPositions();
        int bits = Math.max(64, Integer.highestOneBit(Math.max(1, count) * FILTER_BITS_PER_ID - 1) << 1);
        this.filterShift = Integer.SIZE - Integer.numberOfTrailingZeros(bits);
        this.filter = new long[bits >>> 6];
        for (int i = 0; i < count; i++) {
            int b = ObjectId.leadingInt(this.ids, i * ObjectId.LENGTH) >>> filterShift;
            filter[b >>> 6] |= 1L << b;
        }
        for (int i = 1; i < count; i++) {
            if (compare(sorted[i - 1], sorted[i]) == 0) {
                throw new IllegalArgumentException("an object twice in one pack");
            }
        }
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
        byte[] table = new byte[ids.size() * ObjectId.LENGTH];
        long[] offsets = new long[ids.size() + 1];
        for (int i = 0; i < ids.size(); i++) {
            ids.get(i).copyTo(table, i * ObjectId.LENGTH);
            if (sizes.get(i) < 0) {
                throw new IllegalArgumentException("negative object size in a pack");
            }
            offsets[i + 1] = Math.addExact(offsets[i], sizes.get(i));
        }
        return new PackIndex(pack, table, ids.size(), offsets);
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
        return ObjectId.fromTable(ids, i * ObjectId.LENGTH);
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
            int c = id.compareTo(ids, sorted[mid] * ObjectId.LENGTH);
            if (c == 0) {
                return sorted[mid];
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
        return offsets[count];
    }

    public long offset(int i) {
        return offsets[i];
    }

    public long size(int i) {
        return offsets[i + 1] - offsets[i];
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            g.writeStringField("pack", pack.hex());
            g.writeArrayFieldStart("ids");
            for (int i = 0; i < count; i++) {
                g.writeString(HEX.formatHex(ids, i * ObjectId.LENGTH, (i + 1) * ObjectId.LENGTH));
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
        var fields = new Object() {
            ObjectId pack;
            byte[] ids;
            int count = -1;
            long[] sizes;
            int sizeCount = -1;
        };
        CanonicalJson.decode(id, bytes, KIND, (field, p) -> {
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
                    fields.sizes = new long[64];
                    fields.sizeCount = 0;
                    CanonicalJson.array(id, p, field, e -> {
                        long size = CanonicalJson.nonNegative(e);
                        if (size < 0) {
                            throw new CorruptObjectException(id, "invalid size in pack index");
                        }
                        if (fields.sizeCount == fields.sizes.length) {
                            fields.sizes = Arrays.copyOf(fields.sizes, fields.sizes.length * 2);
                        }
                        fields.sizes[fields.sizeCount++] = size;
                    });
                }
                default -> p.skipChildren();
            }
        });
        ObjectId pack = CanonicalJson.required(id, fields.pack, "pack");
        byte[] ids = CanonicalJson.required(id, fields.ids, "ids");
        long[] sizes = CanonicalJson.required(id, fields.sizes, "sizes");
        if (fields.count != fields.sizeCount) {
            throw new CorruptObjectException(id, "pack index has " + fields.count + " ids and " + fields.sizeCount
                    + " sizes");
        }
        try {
            long[] offsets = new long[fields.count + 1];
            for (int i = 0; i < fields.count; i++) {
                offsets[i + 1] = Math.addExact(offsets[i], sizes[i]);
            }
            return new PackIndex(pack, ids, fields.count, offsets);
        } catch (IllegalArgumentException | ArithmeticException e) {
            String why = e.getMessage() != null && e.getMessage().contains("twice")
                    ? "invalid or repeated object id in pack index" : "malformed pack index: " + e.getMessage();
            throw new CorruptObjectException(id, why);
        }
    }

    private int compare(int a, int b) {
        return Arrays.compareUnsigned(ids, a * ObjectId.LENGTH, (a + 1) * ObjectId.LENGTH,
                ids, b * ObjectId.LENGTH, (b + 1) * ObjectId.LENGTH);
    }

    /** The positions 0..count-1 ordered by id: a merge sort over ints, so no object is made per id. */
    private int[] sortedPositions() {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = i;
        }
        int[] tmp = new int[count];
        for (int width = 1; width < count; width *= 2) {
            for (int lo = 0; lo < count - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, count);
                if (compare(a[mid - 1], a[mid]) <= 0) {
                    continue; // already in order
                }
                int i = lo;
                int j = mid;
                int k = lo;
                while (i < mid && j < hi) {
                    tmp[k++] = compare(a[i], a[j]) <= 0 ? a[i++] : a[j++];
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
        return o instanceof PackIndex p && pack.equals(p.pack) && Arrays.equals(ids, p.ids)
                && Arrays.equals(offsets, p.offsets);
    }

    @Override
    public int hashCode() {
        return pack.hashCode() * 31 + Arrays.hashCode(ids);
    }

    @Override
    public String toString() {
        return "PackIndex[pack=" + pack.shortHex() + ", objects=" + count + ", size=" + packSize() + "]";
    }
}
