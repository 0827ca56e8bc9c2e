package verso.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
        for (int i = 0; i < paths.size(); i++) {
            String p = paths.get(i).name();
            if (!Names.isValidRelativePath(p)) {
                throw new IllegalArgumentException("invalid tracked path: '" + p + "'");
            }
            if (i > 0 && Names.compare(paths.get(i - 1).name(), p) >= 0) {
                throw new IllegalArgumentException("tracked paths not sorted or not unique at '" + p + "'");
            }
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
        JsonNode root = CanonicalJson.decode(id, bytes, KIND);
        JsonNode p = root.get("parent");
        ObjectId parent = null;
        if (p == null) {
            throw new CorruptObjectException(id, "version has no parent field");
        } else if (!p.isNull()) {
            parent = CanonicalJson.objectId(id, root, "parent");
        }
        Instant time;
        try {
            time = Instant.parse(CanonicalJson.text(id, root, "time"));
        } catch (DateTimeParseException e) {
            throw new CorruptObjectException(id, "invalid time");
        }
        String message = CanonicalJson.text(id, root, "message");
        JsonNode arr = root.get("paths");
        if (arr == null || !arr.isArray()) {
            throw new CorruptObjectException(id, "version has no paths array");
        }
        List<TreeEntry> list = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            list.add(CanonicalJson.readEntry(id, n, "path"));
        }
        try {
            return new Version(parent, time, message, list);
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
