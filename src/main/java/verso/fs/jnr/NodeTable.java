package verso.fs.jnr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The node ids the kernel knows: each is a name in a parent node, and lives from the first lookup
 * that returns it until the kernel forgets as many lookups as it was given. The FUSE protocol names
 * files by these ids, and the file system by path, so a request's path is built from the chain of
 * parents.
 *
 * <p>Held compactly, since the kernel may keep a node for every file a listing or a reader has
 * touched (a million after a {@code find} over a million files): parallel arrays by slot (node id
 * = slot + 1, the root's slot is 0), each name as its UTF-8 bytes, and an open-addressing index from
 * (parent, name) to slot, so a name looked up again gets the id it has. 61-81 bytes a node at a
 * million. A node with children is kept until they are gone, so a child's path never runs through a
 * reused slot. To keep the table within a budget, {@link #leastRecentlyUsed} picks the nodes for the
 * kernel to drop. Synchronized: every operation is a few array accesses.
 */
final class NodeTable {
    static final long ROOT = 1;
    private static final int NONE = -1;
    private static final byte USED = 1, GIVEN_UP = 2;

    private int[] parent = new int[1024];
    private byte[][] name = new byte[1024][];
    private long[] lookups = new long[1024];
    private int[] children = new int[1024];
    /** Per slot: looked up since the clock hand last passed ({@link #USED}), or given up ({@link #GIVEN_UP}). */
    private byte[] marks = new byte[1024];
    private int hand = 1;
    /** Slot + 1 of each node but the root, by hash of (parent, name); 0 is empty. */
    private int[] index = new int[2048];
    /** Slots ever used; those below it that are free are chained through {@link #parent}. */
    private int used = 1;
    private int freeHead = NONE;
    private int live = 1;
    /** Nodes given up to the kernel and not yet forgotten by it. */
    private int givenUp;

    NodeTable() {
        parent[0] = NONE;
        name[0] = new byte[0];
    }

    /** Nodes held, the root included. */
    synchronized int size() {
        return live;
    }

    /** Nodes held that have not been given up (see {@link #leastRecentlyUsed}). */
    synchronized int kept() {
        return live - givenUp;
    }

    /**
     * The id of {@code childName} in {@code parentId}, made if new, its lookup count raised by one.
     * Throws {@link IllegalArgumentException} for an id the kernel was never given.
     */
    synchronized long lookup(long parentId, byte[] childName) {
        int p = slot(parentId);
        int mask = index.length - 1;
        int i = hash(p, childName) & mask;
        for (int s; (s = index[i] - 1) != NONE; i = (i + 1) & mask) {
            if (parent[s] == p && Arrays.equals(name[s], childName)) {
                lookups[s]++;
                mark(s, USED);
                return s + 1L;
            }
        }
        int s = allocate();
        parent[s] = p;
        name[s] = childName;
        lookups[s] = 1;
        children[s] = 0;
        marks[s] = USED;
        children[p]++;
        index[i] = s + 1;
        live++;
        if (live * 2 > index.length) {
            reindex(index.length * 2);
        }
        return s + 1L;
    }

    /** Takes {@code count} lookups from a node; at none left (and no children), its id is free again. */
    synchronized void forget(long id, long count) {
        if (id == ROOT || id < 1 || id > used || name[(int) id - 1] == null) {
            return; // the root is never forgotten; an unknown id has nothing to forget
        }
        int s = (int) id - 1;
        lookups[s] = Math.max(0, lookups[s] - count);
        release(s);
    }

    /** A name the kernel is asked to drop: {@code name} in the folder with node id {@code parent}. */
    record Entry(long parent, byte[] name) {
    }

    /**
     * Up to {@code count} nodes for the kernel to drop, least recently used first (a clock: a node
     * looked up since the hand last passed it is passed over once): files and empty folders the
     * kernel holds, each given only once. The kernel forgets them once it has dropped them.
     */
    synchronized List<Entry> leastRecentlyUsed(int count) {
        List<Entry> out = new ArrayList<>();
        for (int steps = 0; out.size() < count && steps < 2 * used; steps++) {
            int s = hand;
            hand = hand + 1 < used ? hand + 1 : 1;
            if (name[s] == null || children[s] > 0 || marks[s] == GIVEN_UP) {
                continue;
            }
            if (marks[s] == USED) {
                marks[s] = 0;
            } else {
                mark(s, GIVEN_UP);
                out.add(new Entry(parent[s] + 1L, name[s]));
            }
        }
        return out;
    }

    /** The path of a node, "/" for the root; throws {@link IllegalArgumentException} for an unknown id. */
    synchronized String path(long id) {
        int s = slot(id);
        if (s == 0) {
            return "/";
        }
        int length = 0;
        for (int n = s; n != 0; n = parent[n]) {
            length += name[n].length + 1;
        }
        byte[] path = new byte[length];
        int end = length;
        for (int n = s; n != 0; n = parent[n]) {
            byte[] b = name[n];
            end -= b.length;
            System.arraycopy(b, 0, path, end, b.length);
            path[--end] = '/';
        }
        return new String(path, StandardCharsets.UTF_8);
    }

    private int slot(long id) {
        if (id < 1 || id > used || name[(int) id - 1] == null) {
            throw new IllegalArgumentException("unknown node id " + id);
        }
        return (int) id - 1;
    }

    /** Frees a node with no lookups and no children, then its parent if that leaves it so. */
    private void release(int s) {
        while (s != 0 && lookups[s] == 0 && children[s] == 0) {
            int p = parent[s];
            mark(s, (byte) 0);
            unindex(s);
            name[s] = null;
            parent[s] = freeHead;
            freeHead = s;
            live--;
            children[p]--;
            s = p;
        }
    }

    private void mark(int s, byte mark) {
        givenUp += (mark == GIVEN_UP ? 1 : 0) - (marks[s] == GIVEN_UP ? 1 : 0);
        marks[s] = mark;
    }

    private int allocate() {
        if (freeHead != NONE) {
            int s = freeHead;
            freeHead = parent[s];
            return s;
        }
        if (used == parent.length) {
            int n = parent.length * 2;
            parent = Arrays.copyOf(parent, n);
            name = Arrays.copyOf(name, n);
            lookups = Arrays.copyOf(lookups, n);
            children = Arrays.copyOf(children, n);
            marks = Arrays.copyOf(marks, n);
        }
        return used++;
    }

    private static int hash(int p, byte[] n) {
        int h = Arrays.hashCode(n) * 31 + p;
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void reindex(int length) {
        index = new int[length];
        int mask = length - 1;
        for (int s = 1; s < used; s++) {
            if (name[s] != null) {
                int i = hash(parent[s], name[s]) & mask;
                while (index[i] != 0) {
                    i = (i + 1) & mask;
                }
                index[i] = s + 1;
            }
        }
    }

    /** Removes a slot from the index, shifting back the entries after it that would be lost. */
    private void unindex(int s) {
        int mask = index.length - 1;
        int i = hash(parent[s], name[s]) & mask;
        while (index[i] != s + 1) {
            i = (i + 1) & mask;
        }
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int home = hash(parent[index[j] - 1], name[index[j] - 1]) & mask;
            boolean staysPut = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!staysPut) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
    }
}
