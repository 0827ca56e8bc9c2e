package verso.store;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A directory listing: entries sorted by name (UTF-8 byte order), names unique and valid. */
public record Tree(List<TreeEntry> entries) {
    public static final String KIND = "tree";
    /**
     * How deep trees may nest below a tracked path. Deeper is refused as corrupt: walks recurse (and
     * paths grow) with the depth, and no real data set nests this far.
     */
    public static final int MAX_DEPTH = 1024;

    public Tree {
        // decoded entries are validated one by one as they are parsed
        if (!(entries instanceof CompactEntries)) {
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
        return CanonicalJson.encode(KIND, g -> {
            g.writeArrayFieldStart("entries");
            for (TreeEntry e : entries) {
                CanonicalJson.writeEntry(g, "name", e);
            }
            g.writeEndArray();
        });
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
                return entries.get(mid);
            }
        }
        return null;
    }
}
