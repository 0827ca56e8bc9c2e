package verso.fs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.remote.RemoteNotFoundException;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.Version;

/**
 * A catalog over a store with the repository layout: {@code versions/<id>} holding the version
 * object's bytes and {@code tags/<name>} holding an id.
 *
 * <p>Design: version objects are immutable, so each refresh lists the version names and reads
 * only the ones it has not decoded before; a file whose bytes do not hash to its name, or do not
 * decode, is skipped and logged once (and retried on later refreshes, in case it was still being
 * written). Tags are mutable and small: every refresh re-reads them all.
 */
abstract class ListingCatalog implements Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(ListingCatalog.class);

    private volatile CatalogSnapshot snapshot = CatalogSnapshot.EMPTY;
    private Map<String, CatalogVersion> known = new HashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Preparer preparer;

    ListingCatalog(Preparer preparer) {
        this.preparer = preparer;
    }

    /** Lists the names under {@code versions/}. */
    protected abstract List<String> listVersions() throws IOException;

    /** Reads {@code versions/<name>}; a missing one throws an exception such as NoSuchFileException. */
    protected abstract byte[] readVersion(String name) throws IOException;

    /** Lists the names under {@code tags/}. */
    protected abstract List<String> listTags() throws IOException;

    protected abstract byte[] readTag(String name) throws IOException;

    @Override
    public CatalogSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public synchronized void refresh() throws IOException {
        Map<String, CatalogVersion> next = new HashMap<>();
        for (String name : listVersions()) {
            CatalogVersion v = known.get(name);
            if (v == null) {
                v = load(name);
            }
            if (v != null) {
                next.put(name, v);
            }
        }
        known = next;
        Map<String, ObjectId> tags = new HashMap<>();
        for (String name : listTags()) {
            ObjectId id = loadTag(name);
            if (id != null) {
                tags.put(name, id);
            }
        }
        snapshot = new CatalogSnapshot(new ArrayList<>(next.values()), tags);
    }

    private CatalogVersion load(String name) {
        if (!ObjectId.isValidHex(name)) {
            reportOnce("versions/" + name, "not a version id");
            return null;
        }
        try {
            byte[] bytes = readVersion(name);
            ObjectId id = ObjectId.fromHex(name);
            if (!Hashing.hash(bytes).equals(id)) {
                reportOnce("versions/" + name, "content does not match its id");
                return null;
            }
            Version version = Version.decode(id, bytes);
            preparer.prepare(id);
            return new CatalogVersion(id, version);
        } catch (NoSuchFileException | FileNotFoundException | RemoteNotFoundException e) {
            return null; // removed between listing and reading
        } catch (CorruptObjectException e) {
            reportOnce("versions/" + name, e.getMessage());
            return null;
        } catch (IOException e) {
            reportOnce("versions/" + name, e.toString());
            return null;
        }
    }

    private ObjectId loadTag(String name) {
        if (!Names.isValidTag(name)) {
            reportOnce("tags/" + name, "not a valid tag name");
            return null;
        }
        try {
            String text = new String(readTag(name), StandardCharsets.UTF_8).trim();
            if (!ObjectId.isValidHex(text)) {
                reportOnce("tags/" + name, "does not hold a version id");
                return null;
            }
            return ObjectId.fromHex(text);
        } catch (NoSuchFileException | FileNotFoundException | RemoteNotFoundException e) {
            return null;
        } catch (IOException e) {
            reportOnce("tags/" + name, e.toString());
            return null;
        }
    }

    private void reportOnce(String key, String why) {
        if (reported.add(key)) {
            LOG.warn("skipping {} in {}: {}", key, describe(), why);
        }
    }
}
