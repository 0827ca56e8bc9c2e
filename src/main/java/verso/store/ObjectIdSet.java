package verso.store;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A set of object ids held in a few arrays, for walks over millions of objects (gc, verify, push,
 * fetch).
 *
 * <p>Design: open addressing with linear probing over 32-byte slots of a {@code byte[]}, and a bit per
 * slot saying it is used. Ids are SHA-256 digests, so their first eight bytes are already a well
 * spread hash. At most three quarters of the slots are used, so an id costs at most about 43 bytes,
 * against about 110 for a {@code HashSet<ObjectId>} (entry, id object, its array). The ids are split
 * by their first bits over {@link #SEGMENTS} such tables, each grown on its own: growing copies one
 * table of a 64th of the set, where one table for all would hold its old and new arrays at once, half
 * again the set's size, just when the set is largest. Not thread-safe; removal is not supported
 * (walks only ever add).
 */
public final class ObjectIdSet extends AbstractSet<ObjectId> {
    private static final int SEGMENTS = 64;
    private static final int MIN_SLOTS = 16;
    /** The largest table one array holds: 2^26 slots of 32 bytes. */
    private static final int MAX_SLOTS = 1 << 26;

    private Segment[] segments = new Segment[SEGMENTS];
    private int size;

    private static int segmentOf(byte[] id) {
        return (id[0] & 0xff) >>> 2;
    }

    @Override
    public boolean add(ObjectId id) {
        byte[] b = id.toBytes();
        int s = segmentOf(b);
        if (segments[s] == null) {
            segments[s] = new Segment();
        }
        if (!segments[s].add(b)) {
            return false;
        }
        size++;
        return true;
    }

    @Override
    public boolean contains(Object o) {
        if (!(o instanceof ObjectId id)) {
            return false;
        }
        byte[] b = id.toBytes();
        Segment s = segments[segmentOf(b)];
        return s != null && s.contains(b);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        segments = new Segment[SEGMENTS];
        size = 0;
    }

    /** The ids in no particular order; the set must not change while this runs. */
    @Override
    public Iterator<ObjectId> iterator() {
        return new Iterator<>() {
            private int segment = -1;
            private int slot;

            {
                advance();
            }

            /** Moves to the next used slot at or after the current one, across segments. */
            private void advance() {
                while (segment < SEGMENTS) {
                    Segment s = segment < 0 ? null : segments[segment];
                    while (s != null && slot <= s.mask && !s.isUsed(slot)) {
                        slot++;
                    }
                    if (s != null && slot <= s.mask) {
                        return;
                    }
                    segment++;
                    slot = 0;
                }
            }

            @Override
            public boolean hasNext() {
                return segment < SEGMENTS;
            }

            @Override
            public ObjectId next() {
                if (segment >= SEGMENTS) {
                    throw new NoSuchElementException();
                }
                byte[] table = segments[segment].table;
                ObjectId id = ObjectId.fromBytes(Arrays.copyOfRange(table, slot * ObjectId.LENGTH,
                        (slot + 1) * ObjectId.LENGTH));
                slot++;
                advance();
                return id;
            }
        };
    }

    /** One table of ids. */
    private static final class Segment {
        private byte[] table;
        private long[] used;
        private int mask;
        private int size;

        Segment() {
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

        boolean isUsed(int slot) {
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

        boolean contains(byte[] id) {
            return isUsed(slotOf(id));
        }

        boolean add(byte[] id) {
            int slot = slotOf(id);
            if (isUsed(slot)) {
                return false;
            }
            if ((size + 1) * 4L > (mask + 1) * 3L) {
                grow();
                slot = slotOf(id);
            }
            put(slot, id, 0);
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
                throw new IllegalStateException("more than " + (long) SEGMENTS * (MAX_SLOTS / 4 * 3)
                        + " object ids in one set");
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
    }
}
