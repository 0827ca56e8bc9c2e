package verso.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    public String path() {
        return entry.name();
    }

    /** Where the pointer file of a project-relative path lives. */
    public static Path location(Path root, String path) {
        return root.resolve(path + SUFFIX);
    }

    public byte[] encode() {
        return PrettyJson.write(g -> {
            g.writeNumberField("verso", FORMAT);
            String p = entry.name();
            g.writeStringField("path", p.substring(p.lastIndexOf('/') + 1));
            g.writeStringField("type", entry.type().code());
            switch (entry.type()) {
                case FILE -> {
                    g.writeStringField("id", entry.id().hex());
                    if (entry.chunked()) {
                        g.writeBooleanField("chunked", true);
                    }
                    if (entry.executable()) {
                        g.writeBooleanField("executable", true);
                    }
                }
                case DIR -> g.writeStringField("id", entry.id().hex());
                case SYMLINK -> g.writeStringField("target", entry.target());
            }
            g.writeNumberField("size", entry.size());
            g.writeNumberField("files", entry.files());
            g.writeStringField("version", version == null ? null : version.hex());
        });
    }

    public void write(Path root) throws IOException {
        AtomicFile.write(location(root, entry.name()), encode());
    }

    /** Reads the pointer file of project-relative {@code path}. */
    public static PointerFile read(Path root, String path) throws IOException {
        Path file = location(root, path);
        String shown = path + SUFFIX;
        Map<String, Object> n;
        try {
            n = PrettyJson.read(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new RepoException(shown + " is not valid JSON; restore it with git checkout -- " + shown);
        }
        try {
            Integer format = n == null ? null : PrettyJson.intValue(n, "verso");
            if (format == null) {
                throw new IllegalArgumentException("no verso field");
            }
            if (format > FORMAT) {
                throw new RepoException(shown + " was written by a newer verso; upgrade verso");
            }
            EntryType type = EntryType.fromCode(text(n, "type"));
            long size = PrettyJson.longValue(n, "size", -1);
            long files = PrettyJson.longValue(n, "files", -1);
            TreeEntry e = switch (type) {
                case FILE -> TreeEntry.file(path, size, PrettyJson.flag(n, "executable"), id(n, "id"),
                        PrettyJson.flag(n, "chunked"));
                case DIR -> TreeEntry.dir(path, size, files, id(n, "id"));
                case SYMLINK -> TreeEntry.symlink(path, text(n, "target"));
            };
            ObjectId version = n.get("version") == null ? null : id(n, "version");
            return new PointerFile(e, version);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RepoException(shown + " is malformed (" + e.getMessage() + "); restore it with git checkout -- "
                    + shown);
        }
    }

    /** A string field, or empty if absent or not a string. */
    private static String text(Map<String, Object> n, String field) {
        String s = PrettyJson.text(n, field);
        return s == null ? "" : s;
    }

    private static ObjectId id(Map<String, Object> n, String field) {
        return ObjectId.fromHex(text(n, field));
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
