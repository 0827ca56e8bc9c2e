package verso.store;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The entries of a decoded tree, held in arrays rather than as objects: a folder of 200,000 files is
 * about 11 MiB this way instead of about 40 (an entry object, its name and its id each). Each
 * {@link #get} makes the {@link TreeEntry}; {@link #nameAt} gives a name alone, for binary search.
 * Built once by {@link Builder} (which {@link Tree#decode} feeds as it parses) or by {@link TreeSlots},
 * then read-only and safe to share between threads.
 *
 * <p>The arrays come in chunks of {@link #CHUNK} entries, so a tree grows without copying what it
 * holds: a tree of a million entries never exists twice while it is decoded, as it would in arrays
 * that double and are trimmed at the end.
 */
final class CompactEntries extends AbstractList<TreeEntry> implements RandomAccess {
    static final int CHUNK_BITS = 12;
    static final int CHUNK = 1 << CHUNK_BITS;
    private static final EntryType[] TYPES = EntryType.values();
    private static final int EXECUTABLE = 4;
    private static final int CHUNKED = 8;

    private final Chunk[] chunks;
    /** Symlink targets by position; empty for the usual tree without symlinks. */
    private final Map<Integer, String> targets;
    private final int size;

    CompactEntries(List<Chunk> chunks, Map<Integer, String> targets, int size) {
        this.chunks = chunks.toArray(Chunk[]::new);
        this.targets = targets.isEmpty() ? Map.of() : Map.copyOf(targets);
        this.size = size;
    }

    /** What {@code flags} holds of {@code e}: never negative. */
    static byte flags(TreeEntry e) {
        return (byte) (e.type().ordinal() | (e.executable() ? EXECUTABLE : 0) | (e.chunked() ? CHUNKED : 0));
    }

    @Override
    public TreeEntry get(int i) {
        Objects.checkIndex(i, size);
        return chunks[i >>> CHUNK_BITS].get(i & (CHUNK - 1), targets.get(i));
    }

    String nameAt(int i) {
        return chunks[i >>> CHUNK_BITS].name(i & (CHUNK - 1));
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Up to {@link #CHUNK} entries: their names' UTF-8 bytes end to end (entry j's ends at
     * {@code nameEnds[j]}), ids 32 bytes each (zeros for a symlink), sizes, flags (the type's ordinal
     * in the low bits, then {@link #EXECUTABLE} and {@link #CHUNKED}) and directories' file counts
     * (null in a chunk without a directory). Names are appended in order; the rest is set by position.
     */
    static final class Chunk {
        private byte[] names;
        private int nameLength;
        private int[] nameEnds;
        private byte[] ids;
        private long[] sizes;
        private long[] files;
        private byte[] flags;

        Chunk(int capacity, int nameCapacity) {
            names = new byte[nameCapacity];
            nameEnds = new int[capacity];
            ids = new byte[capacity * ObjectId.LENGTH];
            sizes = new long[capacity];
            flags = new byte[capacity];
        }

        int capacity() {
            return sizes.length;
        }

        /** Resizes the arrays to {@code capacity} entries, and the names to what they hold if {@code trim}. */
        void resize(int capacity, boolean trim) {
            nameEnds = Arrays.copyOf(nameEnds, capacity);
            ids = Arrays.copyOf(ids, capacity * ObjectId.LENGTH);
            sizes = Arrays.copyOf(sizes, capacity);
            files = files == null ? null : Arrays.copyOf(files, capacity);
            flags = Arrays.copyOf(flags, capacity);
            if (trim) {
                names = Arrays.copyOf(names, nameLength);
            }
        }

        void appendName(int j, byte[] src, int off, int length) {
            if (nameLength + length > names.length) {
                names = Arrays.copyOf(names, Math.max(names.length * 2, nameLength + length));
            }
            System.arraycopy(src, off, names, nameLength, length);
            nameLength += length;
            nameEnds[j] = nameLength;
        }

        String name(int j) {
            int start = j == 0 ? 0 : nameEnds[j - 1];
            return new String(names, start, nameEnds[j] - start, StandardCharsets.UTF_8);
        }

        /** Entry j but its name and target; a directory's file count is written by one thread only. */
        void set(int j, TreeEntry e) {
            if (e.id() != null) {
                e.id().copyTo(ids, j * ObjectId.LENGTH);
            }
            sizes[j] = e.size();
            if (e.type() == EntryType.DIR) {
                if (files == null) {
                    files = new long[capacity()];
                }
                files[j] = e.files();
            }
            flags[j] = flags(e);
        }

        byte flag(int j) {
            return flags[j];
        }

        void flag(int j, byte f) {
            flags[j] = f;
        }

        TreeEntry get(int j, String target) {
            String name = name(j);
            int f = flags[j];
            return switch (TYPES[f & 3]) {
                case FILE -> TreeEntry.file(name, sizes[j], (f & EXECUTABLE) != 0,
                        ObjectId.fromTable(ids, j * ObjectId.LENGTH), (f & CHUNKED) != 0);
                case DIR -> TreeEntry.dir(name, sizes[j], files[j], ObjectId.fromTable(ids, j * ObjectId.LENGTH));
                case SYMLINK -> TreeEntry.symlink(name, target);
            };
        }
    }

    /** Gathers entries in order; the caller validates them. */
    static final class Builder {
        private final List<Chunk> chunks = new ArrayList<>();
        private final Map<Integer, String> targets = new HashMap<>();
        private Chunk last;
        private int size;

        void add(TreeEntry e) {
            int j = size & (CHUNK - 1);
            if (j == 0) {
                if (last != null) {
                    last.resize(CHUNK, true);
                }
                last = new Chunk(64, 1024);
                chunks.add(last);
            } else if (j == last.capacity()) {
                last.resize(Math.min(CHUNK, j * 2), false);
            }
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            last.appendName(j, name, 0, name.length);
            last.set(j, e);
            if (e.target() != null) {
                targets.put(size, e.target());
            }
            size++;
        }

        CompactEntries build() {
            if (last != null) {
                last.resize(size - (chunks.size() - 1) * CHUNK, true);
            }
            return new CompactEntries(chunks, targets, size);
        }
    }
}
