package verso.dvc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import verso.store.Names;

/**
 * A DVC directory manifest ({@code <md5>.dir}): a JSON list of {@code {"md5": ..., "relpath": ...}}
 * (and, from some versions, {@code size} and {@code isexec}), one per file below the directory.
 * Relpaths are checked before anything is built from them: an absolute one, one with {@code ..},
 * {@code .} or empty segments, a duplicate, or a file that is also a folder of another entry is refused.
 */
public record DirManifest(List<Entry> entries) {
    private static final JsonFactory JSON = new JsonFactory();

    /** One file of the directory: its path below it and DVC's md5 of its content. */
    public record Entry(String relpath, String md5, boolean executable) {
    }

    public DirManifest {
        entries = List.copyOf(entries);
    }

    /** Parses and checks a manifest; {@code where} (commit and output) prefixes every error. */
    public static DirManifest parse(byte[] json, String where) throws DvcException {
        List<Entry> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new DvcException(where + ": directory manifest is not a JSON list");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String md5 = null;
                String relpath = null;
                boolean exec = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (field) {
                        case "md5" -> md5 = t == JsonToken.VALUE_STRING ? p.getText() : null;
                        case "relpath" -> relpath = t == JsonToken.VALUE_STRING ? p.getText() : null;
                        case "isexec" -> exec = t == JsonToken.VALUE_TRUE;
                        default -> p.skipChildren();
                    }
                }
                if (relpath == null) {
                    throw new DvcException(where + ": directory manifest has an entry without a relpath");
                }
                if (!Md5.isValid(md5)) {
                    throw new DvcException(where + ": directory manifest entry " + relpath + " has no valid md5");
                }
                out.add(new Entry(relpath, md5, exec));
            }
            if (p.currentToken() != JsonToken.END_ARRAY || p.nextToken() != null) {
                throw new DvcException(where + ": directory manifest is not a list of entries");
            }
        } catch (JsonProcessingException e) {
            throw new DvcException(where + ": directory manifest is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (DvcException e) {
            throw e;
        } catch (IOException e) {
            throw new DvcException(where + ": directory manifest cannot be read (" + e.getMessage() + ")");
        }
        check(out, where);
        return new DirManifest(out);
    }

    private static void check(List<Entry> entries, String where) throws DvcException {
        Set<String> files = new HashSet<>();
        Set<String> dirs = new HashSet<>();
        for (Entry e : entries) {
            String r = e.relpath();
            if (!Names.isValidRelativePath(r) || r.startsWith("./") || r.contains("/./") || r.equals(".")) {
                throw new DvcException(where + ": directory manifest names relpath '" + r
                        + "', which is absolute or leaves the directory; refused");
            }
            if (!files.add(r)) {
                throw new DvcException(where + ": directory manifest names " + r + " twice; refused");
            }
            for (int slash = r.indexOf('/'); slash >= 0; slash = r.indexOf('/', slash + 1)) {
                dirs.add(r.substring(0, slash));
            }
        }
        for (String d : dirs) {
            if (files.contains(d)) {
                throw new DvcException(where + ": directory manifest names " + d
                        + " both as a file and as a folder; refused");
            }
        }
    }
}
