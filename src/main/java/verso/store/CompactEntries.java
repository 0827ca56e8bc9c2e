package verso.store;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The entries of a decoded tree, held in arrays rather than as objects: a folder of 200,000 files is
 * about 13 MiB this way instead of about 40 (an entry object, its name and its id each). Each
 * {@link #get} makes the {@link TreeEntry}; {@link #nameAt} gives a name alone, for binary search.
 * Built once by {@link Builder} (which {@link Tree#decode} feeds as it parses), then read-only and
 * safe to share between threads.
 */
final class CompactEntries extends AbstractList<TreeEntry> implements RandomAccess {
    private static final EntryType[] TYPES = EntryType.values();
    private static final int EXECUTABLE = 4;
    private static final int CHUNKED = 8;

    /** The names' UTF-8 bytes end to end; entry i's name ends at {@code nameEnds[i]}. */
    private final byte[] names;
    private final int[] nameEnds;
    /** The ids, 32 bytes each (zeros for a symlink, which has none). */
    private final byte[] ids;
    private final long[] sizes;
    private final long[] files;
    /** The type's ordinal in the low bits, then {@link #EXECUTABLE} and {@link #CHUNKED}. */
    private final byte[] flags;
    /** Symlink targets by position; empty for the usual tree without symlinks. */
    private final Map<Integer, String> targets;
    private final int size;

    private CompactEntries(Builder b) {
        size = b.size;
        names = Arrays.copyOf(b.names, b.nameLength);
        nameEnds = Arrays.copyOf(b.nameEnds, size);
        ids = Arrays.copyOf(b.ids, size * ObjectId.LENGTH);
        sizes = Arrays.copyOf(b.sizes, size);
        files = Arrays.copyOf(b.files, size);
        flags = Arrays.copyOf(b.flags, size);
        targets = b.targets.isEmpty() ? Map.of() : Map.copyOf(b.targets);
    }

    @Override
    public TreeEntry get(int i) {
        Objects.checkIndex(i, size);
        String name = nameAt(i);
        int f = flags[i];
        EntryType type = TYPES[f & 3];
        return switch (type) {
            case FILE -> TreeEntry.file(name, sizes[i], (f & EXECUTABLE) != 0, idAt(i), (f & CHUNKED) != 0);
            case DIR -> TreeEntry.dir(name, sizes[i], files[i], idAt(i));
            case SYMLINK -> TreeEntry.symlink(name, targets.get(i));
        };
    }

    String nameAt(int i) {
        int start = i == 0 ? 0 : nameEnds[i - 1];
        return new String(names, start, nameEnds[i] - start, StandardCharsets.UTF_8);
    }

    private ObjectId idAt(int i) {
        return ObjectId.fromTable(ids, i * ObjectId.LENGTH);
    }

    @Override
    public int size() {
        return size;
    }

    /** Gathers entries in order; the caller validates them. */
    static final class Builder {
        private byte[] names = new byte[1024];
        private int nameLength;
        private int[] nameEnds = new int[64];
        private byte[] ids = new byte[64 * ObjectId.LENGTH];
        private long[] sizes = new long[64];
        private long[] files = new long[64];
        private byte[] flags = new byte[64];
        private final Map<Integer, String> targets = new HashMap<>();
        private int size;

        void add(TreeEntry e) {
            if (size == sizes.length) {
                int n = size * 2;
                nameEnds = Arrays.copyOf(nameEnds, n);
                ids = Arrays.copyOf(ids, n * ObjectId.LENGTH);
                sizes = Arrays.copyOf(sizes, n);
                files = Arrays.copyOf(files, n);
                flags = Arrays.copyOf(flags, n);
            }
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            if (nameLength + name.length > names.length) {
                names = Arrays.copyOf(names, Math.max(names.length * 2, nameLength + name.length));
            }
            System.arraycopy(name, 0, names, nameLength, name.length);
            nameLength += name.length;
            nameEnds[size] = nameLength;
            if (e.id() != null) {
                e.id().copyTo(ids, size * ObjectId.LENGTH);
            }
            sizes[size] = e.size();
            files[size] = e.files();
            flags[size] = (byte) (e.type().ordinal() | (e.executable() ? EXECUTABLE : 0) | (e.chunked() ? CHUNKED : 0));
            if (e.target() != null) {
                targets.put(size, e.target());
            }
            size++;
        }

        CompactEntries build() {
            return new CompactEntries(this);
        }
    }
}
