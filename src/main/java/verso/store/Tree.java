package verso.store;

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

    /** Decodes and validates; {@code id} is only used in error messages and may be null. */
    public static Tree decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        List<TreeEntry> entries = new ArrayList<>();
        var fields = new Object() {
            boolean hasEntries;
        };
        CanonicalJson.decode(id, bytes, KIND, (field, p) -> {
            if (field.equals("entries")) {
                fields.hasEntries = true;
                CanonicalJson.array(id, p, field, e -> entries.add(CanonicalJson.readEntry(id, e, "name")));
            } else {
                p.skipChildren();
            }
        });
        if (!fields.hasEntries) {
            throw new CorruptObjectException(id, "tree has no entries array");
        }
        try {
            return new Tree(entries);
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
    }

    /** Refuses tree {@code id} if it lies {@code depth} levels below a tracked path and that is too deep. */
    public static void checkDepth(ObjectId id, int depth) throws CorruptObjectException {
        if (depth > MAX_DEPTH) {
            throw new CorruptObjectException(id, "trees nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Binary search by name; null if absent. */
    public TreeEntry find(String name) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Names.compare(entries.get(mid).name(), name);
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
