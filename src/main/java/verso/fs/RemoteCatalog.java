package verso.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.remote.Remote;
import verso.store.Layout;
import verso.store.ObjectId;

/**
 * The versions and tags of a {@link Remote}: lists {@code versions/} and {@code tags/}; only version
 * ids not seen before are fetched on each refresh. The remote is not closed by this catalog.
 *
 * <p>With a mirror directory (beside a mount's disk cache), every version and tag read is copied
 * there. If the remote cannot be listed when the catalog is still empty (a mount started while the
 * remote is down), the mirror is listed instead: the versions seen before are shown and their data is
 * read from the disk cache. Version files are checked against their ids as always; tags may be stale
 * until the remote answers again, when the versions shown are prepared as if just listed.
 */
public final class RemoteCatalog extends ListingCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteCatalog.class);

    private final Remote remote;
    private final Path mirror;
    private final Switch preparer;
    private volatile boolean offline;

    /** A preparer that does nothing while the catalog lists the mirror. */
    private static final class Switch implements Preparer {
        private final Preparer inner;
        volatile boolean off;

        Switch(Preparer inner) {
            this.inner = inner;
        }

        @Override
        public void prepare(ObjectId version) throws IOException {
            if (!off) {
                inner.prepare(version);
            }
        }
    }

    public RemoteCatalog(Remote remote) {
        this(remote, version -> { }, null);
    }

    /** {@code preparer} readies each version before it is shown (see {@link Catalog.Preparer}). */
    public RemoteCatalog(Remote remote, Preparer preparer) {
        this(remote, preparer, null);
    }

    /**
     * {@code mirror} (may be null): where versions and tags are copied for a start without the remote.
     * Versions shown from the mirror are not prepared (the remote cannot be asked); their objects are
     * read from the disk cache.
     */
    public RemoteCatalog(Remote remote, Preparer preparer, Path mirror) {
        this(remote, new Switch(preparer), mirror);
    }

    private RemoteCatalog(Remote remote, Switch preparer, Path mirror) {
        super(preparer);
        this.preparer = preparer;
        this.remote = remote;
        this.mirror = mirror;
    }

    @Override
    protected List<String> listVersions() throws IOException {
        try {
            List<String> names = list(Layout.VERSIONS);
            if (offline) {
                backOnline();
            }
            return names;
        } catch (IOException e) {
            List<String> saved = mirror == null || !snapshot().versions().isEmpty() ? List.of()
                    : listMirror(Layout.VERSIONS);
            if (saved.isEmpty()) {
                throw e;
            }
            offline = true;
            preparer.off = true;
            LOG.warn("cannot list the versions of {} ({}): showing the {} versions seen before, kept in {}",
                    remote.describe(), e.getMessage(), saved.size(), mirror);
            return saved;
        }
    }

    /** The versions shown from the mirror were not prepared: prepare them now that the remote answers. */
    private void backOnline() throws IOException {
        preparer.off = false;
        for (CatalogVersion v : snapshot().versions()) {
            preparer.prepare(v.id()); // a failure keeps the mirror's listing until the next refresh
        }
        offline = false;
        LOG.info("{} answers again: showing its versions", remote.describe());
    }

    @Override
    protected byte[] readVersion(String name) throws IOException {
        if (offline) {
            return Files.readAllBytes(mirror.resolve(Layout.VERSIONS).resolve(name));
        }
        byte[] bytes = remote.getBytes(Layout.VERSIONS + name);
        save(Layout.VERSIONS, name, bytes);
        return bytes;
    }

    @Override
    protected List<String> listTags() throws IOException {
        if (offline) {
            return listMirror(Layout.TAGS);
        }
        List<String> names = list(Layout.TAGS);
        if (mirror != null) {
            Set<String> live = new HashSet<>(names);
            for (String old : listMirror(Layout.TAGS)) {
                if (!live.contains(old)) {
                    Files.deleteIfExists(mirror.resolve(Layout.TAGS).resolve(old));
                }
            }
        }
        return names;
    }

    @Override
    protected byte[] readTag(String name) throws IOException {
        if (offline) {
            return Files.readAllBytes(mirror.resolve(Layout.TAGS).resolve(name));
        }
        byte[] bytes = remote.getBytes(Layout.TAGS + name);
        save(Layout.TAGS, name, bytes);
        return bytes;
    }

    @Override
    public String describe() {
        return remote.describe();
    }

    private List<String> list(String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        remote.list(prefix, file -> {
            String key = file.key();
            String name = key.substring(prefix.length());
            if (!name.isEmpty() && name.indexOf('/') < 0) {
                names.add(name);
            }
        });
        return names;
    }

    private List<String> listMirror(String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(mirror.resolve(prefix))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".")) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return names;
        }
        return names;
    }

    /** Copies a file into the mirror (temp file, then moved into place); a failure only loses the copy. */
    private void save(String prefix, String name, byte[] bytes) {
        if (mirror == null) {
            return;
        }
        try {
            Path dir = Files.createDirectories(mirror.resolve(prefix));
            Path temp = dir.resolve("." + UUID.randomUUID() + ".tmp");
            Files.write(temp, bytes);
            Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.debug("cannot keep a copy of {}{} in {}: {}", prefix, name, mirror, e.toString());
        }
    }
}
