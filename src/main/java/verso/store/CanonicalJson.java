package verso.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The canonical encoding shared by every structured object: compact UTF-8 JSON, fields in a fixed
 * order written by hand, entries sorted by name in byte order. The same content gives the same bytes,
 * hence the same id, on every machine. Decoding is strict, streams (no tree of nodes: a directory of
 * 100,000 entries decodes as it is read), and turns every defect into a
 * {@link CorruptObjectException}.
 *
 * <p>An object with a key twice is refused: two readers could otherwise see different content. The
 * objects checked are those whose fields are read (an object's top level and each entry); the
 * value of a field passed over is not looked into, since no reader of this format uses it. The
 * check is {@link Keys}, not the parser's own, which kept a hash set for every entry of a tree and
 * cost a tenth of the time of decoding one.
 */
final class CanonicalJson {
    static final int FORMAT = 1;
    private static final JsonFactory FACTORY = new JsonFactory();

    private CanonicalJson() {
    }

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] encode(String kind, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encode(kind, body, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the object to {@code out}, as it is encoded; leaves {@code out} open. */
    static void encode(String kind, Body body, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeStringField("kind", kind);
            body.write(g);
            g.writeEndObject();
        }
    }

    /** Receives each field of an object after format and kind, with the parser at the field's value. */
    interface Fields {
        void field(String name, JsonParser p) throws IOException;
    }

    /** The keys of one object, as they are read: refuses one given twice. */
    private static final class Keys {
        /** Past this many keys a set is kept instead of comparing each new key with every other. */
        private static final int LINEAR = 16;
        private final ObjectId id;
        private final String[] few = new String[LINEAR];
        private int count;
        private Set<String> many;

        Keys(ObjectId id) {
            this.id = id;
        }

        void add(String key) throws CorruptObjectException {
            if (many != null) {
                if (!many.add(key)) {
                    throw twice(key);
                }
                return;
            }
            for (int i = 0; i < count; i++) {
                if (few[i].equals(key)) {
                    throw twice(key);
                }
            }
            if (count < LINEAR) {
                few[count++] = key;
            } else {
                many = new HashSet<>(Arrays.asList(few));
                many.add(key);
            }
        }

        private CorruptObjectException twice(String key) {
            return new CorruptObjectException(id, "key '" + key + "' given twice in one object");
        }
    }

    /**
     * Parses an object as a stream: checks that it opens with its format and kind, hands every other
     * top-level field to {@code fields} (which must consume the value, and passes over fields it
     * does not know with {@link JsonParser#skipChildren}), and rejects duplicate keys and anything
     * after the object.
     */
    static void decode(ObjectId id, byte[] bytes, String kind, Fields fields) throws CorruptObjectException {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            decode(id, p, kind, fields);
        } catch (JsonProcessingException e) {
            throw new CorruptObjectException(id, "not valid JSON");
        } catch (CorruptObjectException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // parsing bytes in memory does no I/O
        }
    }

    /** As {@link #decode(ObjectId, byte[], String, Fields)}, from a stream, whose failures are thrown as they are. */
    static void decode(ObjectId id, InputStream in, String kind, Fields fields) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE); // the caller reads on to the end, hashing
            decode(id, p, kind, fields);
        } catch (JsonProcessingException e) {
            throw new CorruptObjectException(id, "not valid JSON");
        }
    }

    private static void decode(ObjectId id, JsonParser p, String kind, Fields fields) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new CorruptObjectException(id, "not a JSON object");
        }
        if (p.nextToken() != JsonToken.FIELD_NAME || !"format".equals(p.currentName())
                || p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw new CorruptObjectException(id, "no format field");
        }
        if (p.getIntValue() != FORMAT) {
            throw new CorruptObjectException(id, "format " + p.getIntValue()
                    + " is newer than this verso understands (" + FORMAT + "); upgrade verso");
        }
        if (p.nextToken() != JsonToken.FIELD_NAME || !"kind".equals(p.currentName())) {
            throw new CorruptObjectException(id, "missing or invalid 'kind'");
        }
        p.nextToken();
        String found = text(p);
        if (!kind.equals(found)) {
            throw new CorruptObjectException(id, "expected a " + kind + ", found a " + found);
        }
        Keys keys = new Keys(id);
        keys.add("format");
        keys.add("kind");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            keys.add(name);
            p.nextToken();
            fields.field(name, p);
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw new CorruptObjectException(id, "not valid JSON");
        }
    }

    /**
     * Whether {@code bytes} look like a structured object (a tree, block index, version...): they open
     * as every one does. A blob may too; this only sorts objects, it never decides how one is read.
     */
    static boolean isStructured(byte[] bytes) {
        byte[] start = ("{\"format\":" + FORMAT + ",\"kind\":\"").getBytes(StandardCharsets.UTF_8);
        return bytes.length > start.length && Arrays.equals(bytes, 0, start.length, start, 0, start.length);
    }

    /** The string at the parser, or null (a value of another type is passed over). */
    static String text(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** The string at the parser, or a corrupt-object error naming {@code field}. */
    static String text(ObjectId id, JsonParser p, String field) throws IOException {
        return required(id, text(p), field);
    }

    /** {@code value} if a field gave one (not null), else a corrupt-object error naming {@code field}. */
    static <T> T required(ObjectId id, T value, String field) throws CorruptObjectException {
        if (value == null) {
            throw new CorruptObjectException(id, "missing or invalid '" + field + "'");
        }
        return value;
    }

    /** {@code value} if a field gave one (not -1, see {@link #nonNegative}), else an error naming it. */
    static long required(ObjectId id, long value, String field) throws CorruptObjectException {
        if (value < 0) {
            throw new CorruptObjectException(id, "missing or invalid '" + field + "'");
        }
        return value;
    }

    /** The non-negative integer at the parser, or -1 (a value of another type is passed over). */
    static long nonNegative(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            p.skipChildren();
            return -1;
        }
        JsonParser.NumberType t = p.getNumberType();
        return t == JsonParser.NumberType.INT || t == JsonParser.NumberType.LONG ? Math.max(-1, p.getLongValue()) : -1;
    }

    /** The object id at the parser, or a corrupt-object error naming {@code field}. */
    static ObjectId objectId(ObjectId id, JsonParser p, String field) throws IOException {
        return objectId(id, text(p), field);
    }

    private static ObjectId objectId(ObjectId id, String hex, String field) throws CorruptObjectException {
        ObjectId parsed = ObjectId.parseHex(required(id, hex, field));
        if (parsed == null) {
            throw new CorruptObjectException(id, "invalid object id in '" + field + "'");
        }
        return parsed;
    }

    /** Receives each element of an array, with the parser at the element. */
    interface Elements {
        void element(JsonParser p) throws IOException;
    }

    /** Reads the array at the parser, one element at a time. */
    static void array(ObjectId id, JsonParser p, String field, Elements elements) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new CorruptObjectException(id, "'" + field + "' is not an array");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            elements.element(p);
        }
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

    /**
     * Reads one entry object at the parser. Fields it does not know are passed over; each known
     * one must have its type, and a file must name exactly one of blob and blocks.
     */
    static TreeEntry readEntry(ObjectId id, JsonParser p, String nameField) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new CorruptObjectException(id, "entry is not an object");
        }
        String name = null;
        String type = null;
        String blob = null;
        String blocks = null;
        String tree = null;
        String target = null;
        long size = -1;
        long files = -1;
        Boolean executable = null;
        boolean hasBlob = false;
        boolean hasBlocks = false;
        Keys keys = new Keys(id);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            keys.add(field);
            JsonToken t = p.nextToken();
            if (field.equals(nameField)) {
                name = text(p);
                continue;
            }
            switch (field) {
                case "type" -> type = text(p);
                case "size" -> size = nonNegative(p);
                case "executable" -> executable = t == JsonToken.VALUE_TRUE ? Boolean.TRUE
                        : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : skipped(p);
                case "blob" -> {
                    hasBlob = true;
                    blob = text(p);
                }
                case "blocks" -> {
                    hasBlocks = true;
                    blocks = text(p);
                }
                case "files" -> files = nonNegative(p);
                case "tree" -> tree = text(p);
                case "target" -> target = text(p);
                default -> p.skipChildren();
            }
        }
        required(id, name, nameField);
        EntryType entryType;
        try {
            entryType = EntryType.fromCode(required(id, type, "type"));
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
        required(id, size, "size");
        try {
            return switch (entryType) {
                case FILE -> {
                    if (executable == null) {
                        throw new CorruptObjectException(id, "missing 'executable' for '" + name + "'");
                    }
                    if (hasBlob == hasBlocks) {
                        throw new CorruptObjectException(id, "file '" + name + "' needs exactly one of blob, blocks");
                    }
                    yield TreeEntry.file(name, size, executable,
                            objectId(id, hasBlocks ? blocks : blob, hasBlocks ? "blocks" : "blob"), hasBlocks);
                }
                case DIR -> TreeEntry.dir(name, size, required(id, files, "files"), objectId(id, tree, "tree"));
                case SYMLINK -> {
                    TreeEntry s = TreeEntry.symlink(name, required(id, target, "target"));
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

    private static Boolean skipped(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }
}
