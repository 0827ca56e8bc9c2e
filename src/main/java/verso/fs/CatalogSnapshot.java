package verso.fs;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.VersionOrder;

/**
 * An immutable view of a catalog: versions in time order ({@link VersionOrder}: oldest first), tags, and
 * the {@code dates/} names.
 *
 * <p>Dates are UTC, second precision ({@code 2024-05-01T12:00:00Z}). When several versions fall in
 * the same second, the date names the newest of them (the state as of that second); the others
 * stay reachable under {@code versions/}. A tag whose version is not in the snapshot is left out,
 * so the mount never shows a dangling tag link.
 */
public final class CatalogSnapshot {
    public static final CatalogSnapshot EMPTY = new CatalogSnapshot(List.of(), Map.of());

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private final List<CatalogVersion> versions;
    private final Map<ObjectId, CatalogVersion> byId;
    private final NavigableMap<String, CatalogVersion> byHex;
    private final SortedMap<String, ObjectId> tags;
    private final SortedMap<String, CatalogVersion> dates;

    /** Builds a snapshot; duplicate versions (same id) are kept once. */
    public CatalogSnapshot(Collection<CatalogVersion> versions, Map<String, ObjectId> tags) {
        Map<ObjectId, CatalogVersion> ids = new HashMap<>();
        for (CatalogVersion v : versions) {
            ids.putIfAbsent(v.id(), v);
        }
        List<CatalogVersion> sorted = new ArrayList<>(ids.values());
        VersionOrder.sort(sorted, CatalogVersion::id, CatalogVersion::version);
        this.versions = Collections.unmodifiableList(sorted);
        this.byId = Collections.unmodifiableMap(ids);
        TreeMap<String, CatalogVersion> hex = new TreeMap<>();
        TreeMap<String, CatalogVersion> dateMap = new TreeMap<>();
        for (CatalogVersion v : sorted) {
            hex.put(v.id().hex(), v);
            dateMap.put(dateName(v.version().time()), v); // sorted oldest first: the newest of a second wins
        }
        this.byHex = Collections.unmodifiableNavigableMap(hex);
        this.dates = Collections.unmodifiableSortedMap(dateMap);
        TreeMap<String, ObjectId> tagMap = new TreeMap<>(Names::compare);
        tags.forEach((name, id) -> {
            if (ids.containsKey(id) && Names.isValidTag(name)) {
                tagMap.put(name, id);
            }
        });
        this.tags = Collections.unmodifiableSortedMap(tagMap);
    }

    /** The name of a time under {@code dates/}: UTC, truncated to the second. */
    public static String dateName(Instant time) {
        return DATE.format(time.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Every version, oldest first. */
    public List<CatalogVersion> versions() {
        return versions;
    }

    /** The newest version, or null if there is none. */
    public CatalogVersion latest() {
        return versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }

    /** The version with this id, or null. */
    public CatalogVersion version(ObjectId id) {
        return byId.get(id);
    }

    /** The versions whose hex id starts with {@code prefix} (lower-case hex). */
    public List<CatalogVersion> findByPrefix(String prefix) {
        if (!ObjectId.isHexPrefix(prefix)) {
            return List.of();
        }
        return List.copyOf(byHex.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values());
    }

    /** Tag name to version id, sorted by name; every tag names a version of this snapshot. */
    public SortedMap<String, ObjectId> tags() {
        return tags;
    }

    /** Date name to the version it names, sorted. */
    public SortedMap<String, CatalogVersion> dates() {
        return dates;
    }

    public boolean isEmpty() {
        return versions.isEmpty();
    }
}
