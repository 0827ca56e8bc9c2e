package verso.repo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small hand-edited JSON files of a project ({@code .verso/config}, pointer files): written
 * indented, one field per line, and read into plain maps and lists. Jackson's streaming layer alone:
 * its object mapper costs every command ~50 ms of start-up for files of a dozen fields.
 */
public final class PrettyJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private PrettyJson() {
    }

    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /** An object of the fields {@code body} writes, indented, with a final newline. */
    public static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * The top-level object: values are strings, {@code Long} (integers that fit), {@code Double},
     * booleans, {@code null}, lists and maps. Null if the text is valid JSON but not an object.
     *
     * @throws JsonProcessingException if the text is not JSON
     */
    public static Map<String, Object> read(byte[] bytes) throws IOException {
        try (JsonParser p = FACTORY.createParser(bytes)) {
            Object v = p.nextToken() == null ? null : value(p);
            if (p.nextToken() != null) {
                throw new JsonProcessingException("content after the object", p.currentLocation()) { };
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = v instanceof Map ? (Map<String, Object>) v : null;
            return m;
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return p.getDoubleValue(); // too large for a long: no field of ours
                }
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return true;
            }
            case VALUE_FALSE -> {
                return false;
            }
            default -> {
                return null;
            }
        }
    }

    /** A string field, or null if absent or not a string. */
    public static String text(Map<String, Object> m, String field) {
        return m.get(field) instanceof String s ? s : null;
    }

    /** An integer field that fits in an int, or null. */
    public static Integer intValue(Map<String, Object> m, String field) {
        return m.get(field) instanceof Long l && l == l.intValue() ? l.intValue() : null;
    }

    /** An integer field, or {@code otherwise}. */
    public static long longValue(Map<String, Object> m, String field, long otherwise) {
        return m.get(field) instanceof Long l ? l : otherwise;
    }

    /** True only for a field that is {@code true}. */
    public static boolean flag(Map<String, Object> m, String field) {
        return Boolean.TRUE.equals(m.get(field));
    }
}
