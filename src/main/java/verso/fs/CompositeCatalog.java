package verso.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.ObjectId;

/**
 * The union of several catalogs (typically the local {@code .verso/} and the default remote):
 * versions are deduplicated by id; a tag defined by several catalogs takes the value of the first
 * one listed (local before remote). A catalog that fails to refresh keeps its previous snapshot
 * and is logged; the refresh fails only if every part failed.
 */
public final class CompositeCatalog implements Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(CompositeCatalog.class);

    private final List<Catalog> parts;
    private volatile CatalogSnapshot snapshot = CatalogSnapshot.EMPTY;

    public CompositeCatalog(List<Catalog> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite catalog needs at least one part");
        }
        this.parts = List.copyOf(parts);
    }

    @Override
    public CatalogSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public synchronized void refresh() throws IOException {
        IOException last = null;
        int failed = 0;
        for (Catalog c : parts) {
            try {
                c.refresh();
            } catch (IOException e) {
                failed++;
                last = e;
                LOG.warn("could not list versions of {}: {}", c.describe(), e.getMessage());
            }
        }
        merge();
        if (failed == parts.size()) {
            throw last;
        }
    }

    private void merge() {
        List<CatalogVersion> versions = new ArrayList<>();
        Map<String, ObjectId> tags = new HashMap<>();
        for (Catalog c : parts) {
            CatalogSnapshot s = c.snapshot();
            versions.addAll(s.versions());
            s.tags().forEach(tags::putIfAbsent);
        }
        snapshot = new CatalogSnapshot(versions, tags);
    }

    @Override
    public String describe() {
        return parts.stream().map(Catalog::describe).collect(Collectors.joining(" + "));
    }

    @Override
    public void close() throws IOException {
        for (Catalog c : parts) {
            c.close();
        }
    }
}
