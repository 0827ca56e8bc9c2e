package verso.store;

import com.fasterxml.jackson.core.JsonToken;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable record of every tracked path at one moment. Its id is the SHA-256 of
 * {@link #encode()}; {@code parent} is null for the first version.
 */
public record Version(ObjectId parent, Instant time, String message, List<TreeEntry> paths) {
    public static final String KIND = "version";

    public Version {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(message, "message");
        paths = List.copyOf(paths);
        Set<String> tracked = new HashSet<>();
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i).name();
            if (!Names.isValidRelativePath(p)) {
                throw new IllegalArgumentException("invalid tracked path: '" + p + "'");
            }
            if (i > 0 && Names.compare(paths.get(i - 1).name(), p) >= 0) {
                throw new IllegalArgumentException("tracked paths not sorted or not unique at '" + p + "'");
            }
            // Sorted, a path comes after its parents: a tracked parent (say a symlink) would make checkout
            // write this path through it.
            for (int slash = p.indexOf('/'); slash >= 0; slash = p.indexOf('/', slash + 1)) {
                if (tracked.contains(p.substring(0, slash))) {
                    throw new IllegalArgumentException("tracked paths nest: '" + p + "' is inside tracked '"
                            + p.substring(0, slash) + "'");
                }
            }
            tracked.add(p);
        }
    }

    /** Builds a version from tracked paths in any order (time truncated to milliseconds). */
    public static Version of(ObjectId parent, Instant time, String message, List<TreeEntry> paths) {
        List<TreeEntry> sorted = new ArrayList<>(paths);
        sorted.sort((a, b) -> Names.compare(a.name(), b.name()));
        return new Version(parent, time.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), message, sorted);
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            if (parent == null) {
                g.writeNullField("parent");
            } else {
                g.writeStringField("parent", parent.hex());
            }
            g.writeStringField("time", time.toString());
            g.writeStringField("message", message);
            g.writeArrayFieldStart("paths");
            for (TreeEntry e : paths) {
                CanonicalJson.writeEntry(g, "path", e);
            }
            g.writeEndArray();
        });
    }

    public ObjectId id() {
        return Hashing.hash(encode());
    }

    public static Version decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        var fields = new Object() {
            boolean hasParent;
            ObjectId parent;
            String time;
            String message;
            List<TreeEntry> paths;
        };
        CanonicalJson.decode(id, bytes, KIND, (field, p) -> {
            switch (field) {
                case "parent" -> {
                    fields.hasParent = true;
                    fields.parent = p.currentToken() == JsonToken.VALUE_NULL ? null
                            : CanonicalJson.objectId(id, p, field);
                }
                case "time" -> fields.time = CanonicalJson.text(id, p, field);
                case "message" -> fields.message = CanonicalJson.text(id, p, field);
                case "paths" -> {
                    List<TreeEntry> list = new ArrayList<>();
                    CanonicalJson.array(id, p, field, e -> list.add(CanonicalJson.readEntry(id, e, "path")));
                    fields.paths = list;
                }
                default -> p.skipChildren();
            }
        });
        if (!fields.hasParent) {
            throw new CorruptObjectException(id, "version has no parent field");
        }
        Instant time;
        try {
            time = Instant.parse(CanonicalJson.required(id, fields.time, "time"));
        } catch (DateTimeParseException e) {
            throw new CorruptObjectException(id, "invalid time");
        }
        if (fields.paths == null) {
            throw new CorruptObjectException(id, "version has no paths array");
        }
        try {
            return new Version(fields.parent, time, CanonicalJson.required(id, fields.message, "message"), fields.paths);
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
    }

    public TreeEntry find(String path) {
        for (TreeEntry e : paths) {
            if (e.name().equals(path)) {
                return e;
            }
        }
        return null;
    }

    public long totalSize() {
        return paths.stream().mapToLong(TreeEntry::size).sum();
    }

    public long totalFiles() {
        return paths.stream().mapToLong(TreeEntry::files).sum();
    }
}
