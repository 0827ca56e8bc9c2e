package verso.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/** A directory listing: entries sorted by name (UTF-8 byte order), names unique and valid. */
public record Tree(List<TreeEntry> entries) {
    public static final String KIND = "tree";
    /**
     * How deep trees may nest below a tracked path. Deeper is refused as corrupt: walks recurse (and
     * paths grow) with the depth, and no real data set nests this far.
     */
    public static final int MAX_DEPTH = 1024;
    /** Trees larger than this (in bytes) are read as a stream. */
    private static final long STREAM_ABOVE = 1 << 20;

    public Tree {
        // decoded entries are validated one by one as they are parsed
        if (!(entries instanceof CompactEntries || entries instanceof Spliced)) {
            entries = List.copyOf(entries);
            for (int i = 0; i < entries.size(); i++) {
                String name = entries.get(i).name();
                if (!Names.isValidSegment(name)) {
                    throw new IllegalArgumentException("invalid name in tree: '" + name + "'");
                }
                if (i > 0 && Names.compare(entries.get(i - 1).name(), name) >= 0) {
                    throw new IllegalArgumentException("tree entries not sorted or not unique at '" + name + "'");
                }
            }
        }
    }

    /** Builds a tree from entries in any order. */
    public static Tree of(List<TreeEntry> entries) {
        List<TreeEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Names.compare(a.name(), b.name()));
        return new Tree(sorted);
    }

    public static Tree empty() {
        return new Tree(Collections.emptyList());
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, this::writeEntries);
    }

    /** Writes the encoding to {@code out} as it is made, so a large tree is never held as bytes. */
    public void encode(OutputStream out) throws IOException {
        CanonicalJson.encode(KIND, this::writeEntries, out);
    }

    /** The id of this tree's encoding, hashed as it is made. */
    public ObjectId hash() throws IOException {
        MessageDigest md = Hashing.sha256();
        encode(new DigestOutputStream(OutputStream.nullOutputStream(), md));
        return ObjectId.fromBytes(md.digest());
    }

    private void writeEntries(JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("entries");
        for (TreeEntry e : entries) {
            CanonicalJson.writeEntry(g, "name", e);
        }
        g.writeEndArray();
    }

    /**
     * Decodes and validates; {@code id} is only used in error messages and may be null. The entries are
     * held compactly (see {@link CompactEntries}), each validated as it is parsed, so a tree of 200,000
     * entries never exists as 200,000 entry objects at once.
     */
    public static Tree decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        Decoding d = new Decoding(id);
        CanonicalJson.decode(id, bytes, KIND, d);
        return d.tree();
    }

    /**
     * As {@link #decode(ObjectId, byte[])}, as the bytes stream in, so that a large tree is never held
     * as bytes beside its entries. The caller must not use the tree before it has checked the bytes
     * against {@code id}; failures of the stream are thrown as they are.
     */
    public static Tree decode(ObjectId id, InputStream in) throws IOException {
        Decoding d = new Decoding(id);
        CanonicalJson.decode(id, in, KIND, d);
        return d.tree();
    }

    /**
     * Reads tree {@code id} from {@code store}, verified. One larger than {@link #STREAM_ABOVE} is
     * decoded as it streams in, never held as bytes beside its entries.
     */
    public static Tree read(ObjectStore store, ObjectId id) throws IOException {
        if (store.size(id) <= STREAM_ABOVE) {
            return decode(id, store.read(id));
        }
        try (ObjectStore.Stored s = store.openStored(id)) {
            return Hashing.decodeVerified(id, s.in(), in -> decode(id, in), "content");
        }
    }

    /** The fields of a tree as they are parsed: the entries, each validated. */
    private static final class Decoding implements CanonicalJson.Fields {
        private final ObjectId id;
        private final CompactEntries.Builder entries = new CompactEntries.Builder();
        private boolean hasEntries;
        private String last;

        Decoding(ObjectId id) {
            this.id = id;
        }

        @Override
        public void field(String field, JsonParser p) throws IOException {
            if (field.equals("entries")) {
                hasEntries = true;
                CanonicalJson.array(id, p, field, e -> {
                    TreeEntry entry = CanonicalJson.readEntry(id, e, "name");
                    String name = entry.name();
                    if (!Names.isValidSegment(name)) {
                        throw new CorruptObjectException(id, "invalid name in tree: '" + name + "'");
                    }
                    if (last != null && Names.compare(last, name) >= 0) {
                        throw new CorruptObjectException(id, "tree entries not sorted or not unique at '" + name + "'");
                    }
                    last = name;
                    entries.add(entry);
                });
            } else {
                p.skipChildren();
            }
        }

        Tree tree() throws CorruptObjectException {
            if (!hasEntries) {
                throw new CorruptObjectException(id, "tree has no entries array");
            }
            return new Tree(entries.build());
        }
    }

    /** Refuses tree {@code id} if it lies {@code depth} levels below a tracked path and that is too deep. */
    public static void checkDepth(ObjectId id, int depth) throws CorruptObjectException {
        if (depth > MAX_DEPTH) {
            throw new CorruptObjectException(id, "trees nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String nameAt(int i) {
        return entries instanceof CompactEntries c ? c.nameAt(i) : entries.get(i).name();
    }

    /** Binary search by name; null if absent. */
    public TreeEntry find(String name) {
        int at = search(name);
        return at >= 0 ? entries.get(at) : null;
    }

    /** The position of {@code name}, or {@code -(where it would go) - 1}. */
    private int search(String name) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Names.compare(nameAt(mid), name);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    /**
     * This tree with {@code e} in place of its entry of the same name (added if it has none), or,
     * if {@code e} is null, without the entry named {@code name}. The entries are a view over this
     * tree's, not a copy: one file changed in a folder of a million costs no million entry objects.
     */
    public Tree with(String name, TreeEntry e) {
        if (!Names.isValidSegment(name) || e != null && !e.name().equals(name)) {
            throw new IllegalArgumentException("invalid name in tree: '" + name + "'");
        }
        int at = search(name);
        return new Tree(new Spliced(entries, at >= 0 ? at : -at - 1, at >= 0, e));
    }

    /** The entries of a tree with one replaced, added or removed at {@code at}; read-only. */
    private static final class Spliced extends AbstractList<TreeEntry> implements RandomAccess {
        private final List<TreeEntry> base;
        private final int at;
        private final boolean found;
        private final TreeEntry entry;

        Spliced(List<TreeEntry> base, int at, boolean found, TreeEntry entry) {
            this.base = base;
            this.at = at;
            this.found = found;
            this.entry = entry;
        }

        @Override
        public int size() {
            return base.size() + (entry == null ? (found ? -1 : 0) : (found ? 0 : 1));
        }

        @Override
        public TreeEntry get(int i) {
            Objects.checkIndex(i, size());
            if (entry == null) {
                return base.get(found && i >= at ? i + 1 : i);
            }
            if (i == at) {
                return entry;
            }
            return base.get(found || i < at ? i : i - 1);
        }
    }
}
