package verso.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import verso.store.EntryType;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.TreeEntry;

/**
 * {@code PATH.verso}, beside each tracked path: small pretty JSON committed to git, naming the
 * tracked path's content ({@code entry}, whose name is the project-relative path) and the version it
 * was last committed in ({@code null} after {@code add} and before {@code commit}).
 */
public record PointerFile(TreeEntry entry, ObjectId version) {
    public static final String SUFFIX = ".verso";
    public static final int FORMAT = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String path() {
        return entry.name();
    }

    /** Where the pointer file of a project-relative path lives. */
    public static Path location(Path root, String path) {
        return root.resolve(path + SUFFIX);
    }

    public byte[] encode() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("verso", FORMAT);
        String p = entry.name();
        n.put("path", p.substring(p.lastIndexOf('/') + 1));
        n.put("type", entry.type().code());
        switch (entry.type()) {
            case FILE -> {
                n.put("id", entry.id().hex());
                if (entry.chunked()) {
                    n.put("chunked", true);
                }
                if (entry.executable()) {
                    n.put("executable", true);
                }
            }
            case DIR -> n.put("id", entry.id().hex());
            case SYMLINK -> n.put("target", entry.target());
        }
        n.put("size", entry.size());
        n.put("files", entry.files());
        if (version == null) {
            n.putNull("version");
        } else {
            n.put("version", version.hex());
        }
        try {
            return (MAPPER.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path root) throws IOException {
        AtomicFile.write(location(root, entry.name()), encode());
    }

    /** Reads the pointer file of project-relative {@code path}. */
    public static PointerFile read(Path root, String path) throws IOException {
        Path file = location(root, path);
        String shown = path + SUFFIX;
        JsonNode n;
        try {
            n = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new RepoException(shown + " is not valid JSON; restore it with git checkout -- " + shown);
        }
        try {
            if (n == null || !n.isObject() || !n.path("verso").isInt()) {
                throw new IllegalArgumentException("no verso field");
            }
            if (n.get("verso").intValue() > FORMAT) {
                throw new RepoException(shown + " was written by a newer verso; upgrade verso");
            }
            EntryType type = EntryType.fromCode(n.path("type").asText(""));
            long size = n.path("size").asLong(-1);
            long files = n.path("files").asLong(-1);
            TreeEntry e = switch (type) {
                case FILE -> TreeEntry.file(path, size, n.path("executable").asBoolean(false), id(n, "id"),
                        n.path("chunked").asBoolean(false));
                case DIR -> TreeEntry.dir(path, size, files, id(n, "id"));
                case SYMLINK -> TreeEntry.symlink(path, n.path("target").asText());
            };
            JsonNode v = n.get("version");
            ObjectId version = v == null || v.isNull() ? null : id(n, "version");
            return new PointerFile(e, version);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RepoException(shown + " is malformed (" + e.getMessage() + "); restore it with git checkout -- "
                    + shown);
        }
    }

    private static ObjectId id(JsonNode n, String field) {
        return ObjectId.fromHex(n.path(field).asText(""));
    }

    /**
     * Every tracked path of the project, sorted: the pointer files found by walking it, without
     * entering {@code .git}, {@code .verso}, symlinks or tracked directories themselves.
     */
    public static List<String> findTracked(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        walk(root, "", out);
        out.sort(Names::compare);
        return out;
    }

    private static void walk(Path dir, String rel, List<String> out) throws IOException {
        List<Path> subdirs = new ArrayList<>();
        List<String> tracked = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX) && name.length() > SUFFIX.length()
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    tracked.add(name.substring(0, name.length() - SUFFIX.length()));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && !(rel.isEmpty() && (name.equals(".git") || name.equals(".verso")))) {
                    subdirs.add(p);
                }
            }
        }
        for (String t : tracked) {
            out.add(rel + t);
        }
        for (Path sub : subdirs) {
            String name = sub.getFileName().toString();
            if (!tracked.contains(name)) {
                walk(sub, rel + name + "/", out);
            }
        }
    }
}
