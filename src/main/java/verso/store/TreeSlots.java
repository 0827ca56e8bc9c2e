package verso.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of a tree being built from a directory listing: its names are added in any order and
 * sorted into tree order, then each position is given its entry (or dropped), from any thread and in
 * any order, and the whole becomes a {@link Tree}. Held in arrays, as {@link CompactEntries} are: a
 * folder of a million files is built in about 50 bytes per entry plus its name, never as a million
 * entry objects. A position is set by one thread only, a directory's by the thread that builds the
 * tree; {@link #build} must happen after every set.
 */
public final class TreeSlots {
    private static final byte UNSET = -1;
    private static final byte DROPPED = -2;

    /** The names as listed, until sorted. */
    private byte[] listed = new byte[1024];
    private int listedLength;
    private int[] listedEnds = new int[64];
    private int size;
    private int dropped;
    /** The entries in tree order, once sorted. */
    private List<CompactEntries.Chunk> chunks;
    private final Map<Integer, String> targets = new HashMap<>();

    /** Adds a name from the listing; only before {@link #sort}. */
    public void addName(String name) {
        if (chunks != null) {
            throw new IllegalStateException("names added after sorting");
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (listedLength + b.length > listed.length) {
            listed = Arrays.copyOf(listed, Math.max(listed.length * 2, listedLength + b.length));
        }
        System.arraycopy(b, 0, listed, listedLength, b.length);
        listedLength += b.length;
        if (size == listedEnds.length) {
            listedEnds = Arrays.copyOf(listedEnds, size * 2);
        }
        listedEnds[size++] = listedLength;
    }

    public int size() {
        return size;
    }

    /** The positions not dropped: the entries the tree will have. */
    public int kept() {
        return size - dropped;
    }

    /** Puts the names in tree order (their UTF-8 bytes, unsigned) and makes room for the entries. */
    public void sort() {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        mergeSort(order, new int[size], 0, size);
        chunks = new ArrayList<>();
        for (int from = 0; from < size; from += CompactEntries.CHUNK) {
            int count = Math.min(CompactEntries.CHUNK, size - from);
            int bytes = 0;
            for (int k = from; k < from + count; k++) {
                bytes += listedEnds[order[k]] - start(order[k]);
            }
            CompactEntries.Chunk c = new CompactEntries.Chunk(count, bytes);
            for (int j = 0; j < count; j++) {
                int i = order[from + j];
                c.appendName(j, listed, start(i), listedEnds[i] - start(i));
                c.flag(j, UNSET);
            }
            chunks.add(c);
        }
        listed = null;
        listedEnds = null;
    }

    private int start(int i) {
        return i == 0 ? 0 : listedEnds[i - 1];
    }

    private int compare(int a, int b) {
        return Arrays.compareUnsigned(listed, start(a), listedEnds[a], listed, start(b), listedEnds[b]);
    }

    private void mergeSort(int[] a, int[] tmp, int from, int to) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid);
        mergeSort(a, tmp, mid, to);
        if (compare(a[mid - 1], a[mid]) <= 0) {
            return; // already in order, as a listing often is
        }
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            a[k] = j >= to || (i < mid && compare(tmp[i], tmp[j]) <= 0) ? tmp[i++] : tmp[j++];
        }
    }

    private CompactEntries.Chunk chunk(int i) {
        return chunks.get(i >>> CompactEntries.CHUNK_BITS);
    }

    private static int in(int i) {
        return i & (CompactEntries.CHUNK - 1);
    }

    /** The name at position {@code i}, once sorted. */
    public String name(int i) {
        return chunk(i).name(in(i));
    }

    /** Gives position {@code i} its entry; the entry's name is the position's, whatever {@code e} says. */
    public void set(int i, TreeEntry e) {
        if (e.target() != null) {
            synchronized (targets) {
                targets.put(i, e.target());
            }
        }
        chunk(i).set(in(i), e);
    }

    /**
     * Leaves position {@code i} out of the tree (a name gone since the listing, or one verso cannot
     * track); only on the thread that builds the tree.
     */
    public void drop(int i) {
        chunk(i).flag(in(i), DROPPED);
        dropped++;
    }

    /**
     * The tree of every position not dropped. Refuses a name that is not valid in a tree, or given
     * twice, as {@link Tree} does; throws {@link IllegalStateException} for a position never set.
     */
    public Tree build() {
        synchronized (targets) {
            String last = null;
            for (int i = 0; i < size; i++) {
                byte f = chunk(i).flag(in(i));
                if (f == UNSET) {
                    throw new IllegalStateException("tree entry " + name(i) + " was never set");
                }
                if (f != DROPPED) {
                    String name = name(i);
                    if (!Names.isValidSegment(name)) {
                        throw new IllegalArgumentException("invalid name in tree: '" + name + "'");
                    }
                    if (last != null && Names.compare(last, name) >= 0) {
                        throw new IllegalArgumentException("tree entries not sorted or not unique at '" + name + "'");
                    }
                    last = name;
                }
            }
            if (dropped == 0) {
                return new Tree(new CompactEntries(chunks, targets, size));
            }
            CompactEntries.Builder b = new CompactEntries.Builder();
            for (int i = 0; i < size; i++) {
                if (chunk(i).flag(in(i)) != DROPPED) {
                    b.add(chunk(i).get(in(i), targets.get(i)));
                }
            }
            return new Tree(b.build());
        }
    }
}
