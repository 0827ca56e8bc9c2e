package verso.store;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A set of object ids held in one array, for walks over millions of objects (gc, verify, push,
 * fetch).
 *
 * <p>Design: open addressing with linear probing over 32-byte slots of a single {@code byte[]}, and a
 * bit per slot saying it is used. Ids are SHA-256 digests, so their first eight bytes are already a
 * well spread hash. At most three quarters of the slots are used, so an id costs at most about 43
 * bytes, against about 110 for a {@code HashSet<ObjectId>} (entry, id object, its array). Not
 * thread-safe; removal is not supported (walks only ever add).
 */
public final class ObjectIdSet extends AbstractSet<ObjectId> {
    private static final int MIN_SLOTS = 16;
    /** The largest table one array holds: 2^26 slots of 32 bytes. */
    private static final int MAX_SLOTS = 1 << 26;

    private byte[] table;
    private long[] used;
    private int mask;
    private int size;

    public ObjectIdSet() {
        allocate(MIN_SLOTS);
    }

    private void allocate(int slots) {
        table = new byte[slots * ObjectId.LENGTH];
        used = new long[(slots + 63) >>> 6];
        mask = slots - 1;
    }

    private static int hash(byte[] id, int off) {
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (id[off + i] & 0xff);
        }
        return (int) (h ^ (h >>> 32));
    }

    private boolean isUsed(int slot) {
        return (used[slot >>> 6] & (1L << slot)) != 0;
    }

    /** The slot holding {@code id}, or the free slot where it would go. */
    private int slotOf(byte[] id) {
        int slot = hash(id, 0) & mask;
        while (isUsed(slot) && !Arrays.equals(table, slot * ObjectId.LENGTH, (slot + 1) * ObjectId.LENGTH,
                id, 0, ObjectId.LENGTH)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    @Override
    public boolean add(ObjectId id) {
        byte[] b = id.toBytes();
        int slot = slotOf(b);
        if (isUsed(slot)) {
            return false;
        }
        if ((size + 1) * 4L > (mask + 1) * 3L) {
            grow();
            slot = slotOf(b);
        }
        put(slot, b, 0);
        size++;
        return true;
    }

    private void put(int slot, byte[] src, int off) {
        System.arraycopy(src, off, table, slot * ObjectId.LENGTH, ObjectId.LENGTH);
        used[slot >>> 6] |= 1L << slot;
    }

    private void grow() {
        int slots = (mask + 1) * 2;
        if (slots > MAX_SLOTS) {
            throw new IllegalStateException("more than " + (MAX_SLOTS / 4 * 3) + " object ids in one set");
        }
        byte[] oldTable = table;
        long[] oldUsed = used;
        int oldSlots = mask + 1;
        allocate(slots);
        for (int s = 0; s < oldSlots; s++) {
            if ((oldUsed[s >>> 6] & (1L << s)) != 0) {
                int slot = hash(oldTable, s * ObjectId.LENGTH) & mask;
                while (isUsed(slot)) {
                    slot = (slot + 1) & mask;
                }
                put(slot, oldTable, s * ObjectId.LENGTH);
            }
        }
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof ObjectId id && isUsed(slotOf(id.toBytes()));
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        allocate(MIN_SLOTS);
        size = 0;
    }

    /** The ids in no particular order; the set must not change while this runs. */
    @Override
    public Iterator<ObjectId> iterator() {
        return new Iterator<>() {
            private int slot = advance(0);

            private int advance(int from) {
                int s = from;
                while (s <= mask && !isUsed(s)) {
                    s++;
                }
                return s;
            }

            @Override
            public boolean hasNext() {
                return slot <= mask;
            }

            @Override
            public ObjectId next() {
                if (slot > mask) {
                    throw new NoSuchElementException();
                }
                ObjectId id = ObjectId.fromBytes(Arrays.copyOfRange(table, slot * ObjectId.LENGTH,
                        (slot + 1) * ObjectId.LENGTH));
                slot = advance(slot + 1);
                return id;
            }
        };
    }
}
