package verso.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Version;
import verso.store.VersionOrder;

/**
 * The history: {@code versions/<id>} (each the exact bytes of a version object, also kept as an object
 * in the cache), {@code tags/<name>} (a version id and a newline) and {@code head}, the version the
 * workspace was last committed or checked out as. Every file is replaced atomically; a version file
 * is written only after its object, which is written only after everything it references.
 */
public final class VersionLog {
    /** Shortest prefix accepted as a version id. */
    public static final int MIN_PREFIX = 4;

    /** A version with its id. */
    public record Entry(ObjectId id, Version version) {
    }

    private final Path versions;
    private final Path tags;
    private final Path head;
    private final ObjectStore store;

    public VersionLog(Path versoDir, ObjectStore store) {
        this.versions = versoDir.resolve(Layout.VERSIONS);
        this.tags = versoDir.resolve(Layout.TAGS);
        this.head = versoDir.resolve("head");
        this.store = store;
    }

    /** Every version id present, unordered. */
    public List<ObjectId> ids() throws IOException {
        List<ObjectId> out = new ArrayList<>();
        if (!Files.isDirectory(versions)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(versions)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (ObjectId.isValidHex(name)) {
                    out.add(ObjectId.fromHex(name));
                }
            }
        }
        return out;
    }

    public boolean contains(ObjectId id) {
        return Files.isRegularFile(versions.resolve(id.hex()));
    }

    /** Reads and checks {@code versions/<id>}: its bytes must hash to the id and decode. */
    public Version read(ObjectId id) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(versions.resolve(id.hex()));
        } catch (NoSuchFileException e) {
            throw new RepoException("unknown version " + id.shortHex() + "; see verso log");
        }
        if (!Hashing.hash(bytes).equals(id)) {
            throw new CorruptObjectException(id, "version file does not match its id");
        }
        return Version.decode(id, bytes);
    }

    /** Every version, newest first (a version before its parent when their times are equal). */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (ObjectId id : ids()) {
            out.add(new Entry(id, read(id)));
        }
        VersionOrder.sort(out, Entry::id, Entry::version);
        Collections.reverse(out);
        return out;
    }

    /** Records a version: the object first, then its version file. Returns its id. */
    public ObjectId write(Version v) throws IOException {
        byte[] bytes = v.encode();
        ObjectId id = store.insert(bytes);
        Files.createDirectories(versions);
        if (!contains(id)) {
            AtomicFile.write(versions.resolve(id.hex()), bytes);
        }
        return id;
    }

    /** Writes {@code versions/<id>} from bytes obtained elsewhere (a remote); they must hash to the id. */
    public void add(ObjectId id, byte[] bytes) throws IOException {
        Version.decode(id, bytes);
        store.insert(id, bytes);
        Files.createDirectories(versions);
        if (!contains(id)) {
            AtomicFile.write(versions.resolve(id.hex()), bytes);
        }
    }

    public Optional<ObjectId> head() throws IOException {
        try {
            String s = Files.readString(head, StandardCharsets.UTF_8).trim();
            if (!ObjectId.isValidHex(s)) {
                throw new RepoException(".verso/head is damaged; check out a version with verso checkout VERSION");
            }
            return Optional.of(ObjectId.fromHex(s));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void setHead(ObjectId id) throws IOException {
        AtomicFile.write(head, (id.hex() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Tags by name (sorted). */
    public TreeMap<String, ObjectId> tags() throws IOException {
        TreeMap<String, ObjectId> out = new TreeMap<>();
        if (!Files.isDirectory(tags)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tags)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!Names.isValidTag(name)) {
                    continue;
                }
                String s = Files.readString(p, StandardCharsets.UTF_8).trim();
                if (ObjectId.isValidHex(s)) {
                    out.put(name, ObjectId.fromHex(s));
                }
            }
        }
        return out;
    }

    public static void checkTagName(String name) throws RepoException {
        if (!Names.isValidTag(name)) {
            throw new RepoException("invalid tag name '" + name + "'; use letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit and not only hex digits");
        }
    }

    public void tag(String name, ObjectId id) throws IOException {
        checkTagName(name);
        if (!contains(id)) {
            throw new RepoException("unknown version " + id.shortHex() + "; see verso log");
        }
        Files.createDirectories(tags);
        AtomicFile.write(tags.resolve(name), (id.hex() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public void deleteTag(String name) throws IOException {
        if (!Names.isValidTag(name) || !Files.deleteIfExists(tags.resolve(name))) {
            throw new RepoException("no tag named '" + name + "'; see verso tag");
        }
    }

    /**
     * Resolves a full id, a tag, {@code head}, or a unique prefix of at least {@link #MIN_PREFIX}
     * hex digits to a version id present here.
     */
    public ObjectId resolve(String spec) throws IOException {
        if (spec == null || spec.isEmpty()) {
            throw new RepoException("empty version; give an id, a short id or a tag (see verso log)");
        }
        if (ObjectId.isValidHex(spec)) {
            ObjectId id = ObjectId.fromHex(spec);
            if (contains(id)) {
                return id;
            }
        } else if (Names.isValidTag(spec) && Files.isRegularFile(tags.resolve(spec))) {
            ObjectId id = tags().get(spec);
            if (id == null) {
                throw new RepoException("tag '" + spec + "' is damaged; set it again with verso tag " + spec
                        + " VERSION");
            }
            return id;
        } else if (spec.equals("head")) {
            return head().orElseThrow(() -> new RepoException("no version yet; run verso commit"));
        } else if (spec.length() >= MIN_PREFIX && ObjectId.isHexPrefix(spec)) {
            List<ObjectId> found = new ArrayList<>();
            for (ObjectId id : ids()) {
                if (id.hex().startsWith(spec)) {
                    found.add(id);
                }
            }
            if (found.size() == 1) {
                return found.get(0);
            }
            if (found.size() > 1) {
                throw new RepoException("version '" + spec + "' is ambiguous (" + found.size()
                        + " versions start with it); give more digits");
            }
        }
        throw new RepoException("unknown version '" + spec + "'; see verso log for ids and verso tag for tags");
    }

    /** The shortest unambiguous prefix of {@code id} among the known versions, at least 10 digits. */
    public String shortId(ObjectId id, List<ObjectId> all) {
        int len = ObjectId.SHORT_LENGTH;
        String hex = id.hex();
        for (ObjectId o : all) {
            if (!o.equals(id)) {
                String h = o.hex();
                int common = 0;
                while (common < hex.length() && h.charAt(common) == hex.charAt(common)) {
                    common++;
                }
                len = Math.max(len, common + 1);
            }
        }
        return hex.substring(0, Math.min(len, hex.length()));
    }
}
