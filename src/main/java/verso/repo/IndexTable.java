package verso.repo;

import java.nio.ByteBuffer;

/**
 * One section of the workspace index file, read in place: records of a path and a payload, sorted
 * by path in walk order ({@link #comparePaths}), with a table of record offsets after them.
 *
 * <p>Design: the file is mapped, not loaded, so an index of millions of files costs page cache, not
 * heap. A lookup is a binary search over the offsets, but a scan asks for paths in the order it
 * walks, which is the table's order, so the caller passes the record after its last hit, which is
 * tried first: a lookup usually costs one comparison. The table holds no state of its own and reads
 * at absolute positions only, so concurrent readers (the scan's walker threads, each with its own
 * hint) do not disturb each other.
 *
 * <p>Record layout: int path length, UTF-8 path, unsigned short payload length, payload.
 */
final class IndexTable {
    static final IndexTable EMPTY = new IndexTable(ByteBuffer.allocate(0), 0, 0);

    private final ByteBuffer buf;
    private final int offsets;
    private final int count;
    /** A section of {@code count} records whose offsets (ints) start at {@code offsets}. */
    IndexTable(ByteBuffer buf, int offsets, int count) {
        this.buf = buf;
        this.offsets = offsets;
        this.count = count;
    }

    int count() {
        return count;
    }

    /**
     * Walk order: paths compared segment by segment, each segment by its UTF-8 bytes; a directory
     * comes right before what it holds. This is byte order with {@code /} taken as the lowest byte
     * (names hold no NUL), and the order of a depth-first walk that visits names in byte order.
     */
    static int comparePaths(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int x = weight(a[i]);
            int y = weight(b[i]);
            if (x != y) {
                return x - y;
            }
        }
        return a.length - b.length;
    }

    private static int weight(byte b) {
        return b == '/' ? 0 : b & 0xff;
    }

    private int record(int i) {
        return buf.getInt(offsets + 4 * i);
    }

    private int compareAt(int i, byte[] key) {
        int pos = record(i);
        int len = buf.getInt(pos);
        int n = Math.min(len, key.length);
        for (int k = 0; k < n; k++) {
            int x = weight(buf.get(pos + 4 + k));
            int y = weight(key[k]);
            if (x != y) {
                return x - y;
            }
        }
        return len - key.length;
    }

    private boolean equalsAt(int i, byte[] key) {
        int pos = record(i);
        if (buf.getInt(pos) != key.length) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (buf.get(pos + 4 + k) != key[k]) {
                return false;
            }
        }
        return true;
    }

    /** The record number of {@code path}, or -1. */
    int find(byte[] path) {
        return find(path, -1);
    }

    /** The record number of {@code path}, or -1, trying record {@code hint} first. */
    int find(byte[] path, int hint) {
        if (hint >= 0 && hint < count && equalsAt(hint, path)) {
            return hint;
        }
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareAt(mid, path);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    byte[] path(int i) {
        int pos = record(i);
        byte[] out = new byte[buf.getInt(pos)];
        buf.get(pos + 4, out);
        return out;
    }

    /** Where record {@code i}'s payload starts in {@link #buffer()}; its length is the unsigned short before it. */
    int payloadAt(int i) {
        int pos = record(i);
        return pos + 4 + buf.getInt(pos) + 2;
    }

    /** The table's bytes, to be read at absolute positions only. */
    ByteBuffer buffer() {
        return buf;
    }

    /** The payload of record {@code i}, as a copy. */
    byte[] payload(int i) {
        int pos = record(i);
        int p = pos + 4 + buf.getInt(pos);
        byte[] out = new byte[buf.getShort(p) & 0xffff];
        buf.get(p + 2, out);
        return out;
    }

    /** True if record {@code i}'s path is {@code root} or lies below it. */
    boolean under(int i, byte[] root) {
        int pos = record(i);
        int len = buf.getInt(pos);
        if (len < root.length || (len > root.length && buf.get(pos + 4 + root.length) != '/')) {
            return false;
        }
        for (int k = 0; k < root.length; k++) {
            if (buf.get(pos + 4 + k) != root[k]) {
                return false;
            }
        }
        return true;
    }
}
