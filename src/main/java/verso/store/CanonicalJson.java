package verso.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The canonical encoding shared by every structured object: compact UTF-8 JSON, fields in a fixed
 * order written by hand, entries sorted by name in byte order. The same content gives the same bytes,
 * hence the same id, on every machine. Decoding is strict and turns every defect into a
 * {@link CorruptObjectException}.
 */
final class CanonicalJson {
    static final int FORMAT = 1;
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private CanonicalJson() {
    }

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] encode(String kind, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeStringField("kind", kind);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Parses and checks format and kind. */
    static JsonNode decode(ObjectId id, byte[] bytes, String kind) throws CorruptObjectException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new CorruptObjectException(id, "not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new CorruptObjectException(id, "not a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isInt()) {
            throw new CorruptObjectException(id, "no format field");
        }
        if (format.intValue() != FORMAT) {
            throw new CorruptObjectException(id, "format " + format.intValue()
                    + " is newer than this verso understands (" + FORMAT + "); upgrade verso");
        }
        if (!kind.equals(text(id, root, "kind"))) {
            throw new CorruptObjectException(id, "expected a " + kind + ", found a " + root.get("kind"));
        }
        return root;
    }

    /** The kind of a structured object, or null if the bytes are not one (for example a blob). */
    static String kindOf(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != '{') {
            return null;
        }
        try {
            JsonNode root = MAPPER.readTree(bytes);
            JsonNode k = root == null ? null : root.get("kind");
            return k != null && k.isTextual() ? k.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String text(ObjectId id, JsonNode node, String field) throws CorruptObjectException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new CorruptObjectException(id, "missing or invalid '" + field + "'");
        }
        return v.textValue();
    }

    static long nonNegative(ObjectId id, JsonNode node, String field) throws CorruptObjectException {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
            throw new CorruptObjectException(id, "missing or invalid '" + field + "'");
        }
        return v.longValue();
    }

    static ObjectId objectId(ObjectId id, JsonNode node, String field) throws CorruptObjectException {
        String hex = text(id, node, field);
        if (!ObjectId.isValidHex(hex)) {
            throw new CorruptObjectException(id, "invalid object id in '" + field + "'");
        }
        return ObjectId.fromHex(hex);
    }

    /** Writes one entry; {@code nameField} is "name" in trees and "path" in versions. */
    static void writeEntry(JsonGenerator g, String nameField, TreeEntry e) throws IOException {
        g.writeStartObject();
        g.writeStringField(nameField, e.name());
        g.writeStringField("type", e.type().code());
        g.writeNumberField("size", e.size());
        switch (e.type()) {
            case FILE -> {
                g.writeBooleanField("executable", e.executable());
                g.writeStringField(e.chunked() ? "blocks" : "blob", e.id().hex());
            }
            case DIR -> {
                g.writeNumberField("files", e.files());
                g.writeStringField("tree", e.id().hex());
            }
            case SYMLINK -> g.writeStringField("target", e.target());
        }
        g.writeEndObject();
    }

    static TreeEntry readEntry(ObjectId id, JsonNode n, String nameField) throws CorruptObjectException {
        if (!n.isObject()) {
            throw new CorruptObjectException(id, "entry is not an object");
        }
        String name = text(id, n, nameField);
        EntryType type;
        try {
            type = EntryType.fromCode(text(id, n, "type"));
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
        long size = nonNegative(id, n, "size");
        try {
            return switch (type) {
                case FILE -> {
                    JsonNode exec = n.get("executable");
                    if (exec == null || !exec.isBoolean()) {
                        throw new CorruptObjectException(id, "missing 'executable' for '" + name + "'");
                    }
                    boolean chunked = n.has("blocks");
                    if (chunked == n.has("blob")) {
                        throw new CorruptObjectException(id, "file '" + name + "' needs exactly one of blob, blocks");
                    }
                    yield TreeEntry.file(name, size, exec.booleanValue(),
                            objectId(id, n, chunked ? "blocks" : "blob"), chunked);
                }
                case DIR -> TreeEntry.dir(name, size, nonNegative(id, n, "files"), objectId(id, n, "tree"));
                case SYMLINK -> {
                    TreeEntry s = TreeEntry.symlink(name, text(id, n, "target"));
                    if (s.size() != size || s.target().indexOf('\0') >= 0) {
                        throw new CorruptObjectException(id, "symlink '" + name + "' is malformed");
                    }
                    yield s;
                }
            };
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
    }
}
