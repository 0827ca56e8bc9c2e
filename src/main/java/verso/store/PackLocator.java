package verso.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where objects sit in a remote's packs, from the pack indexes a reader loaded; an object no index
 * lists is loose ({@code objects/…}). Many objects at once are grouped into {@link Run}s: objects of
 * one pack that lie close together are read with one ranged GET, so a folder of small files costs a
 * few requests instead of one each. Thread-safe.
 *
 * <p>Design: no table of every packed object (a million small files would make it larger than the
 * mount's heap): an object is looked up in each index in turn, by binary search over the index's
 * sorted ids ({@link PackIndex#position}); a version's objects lie in a handful of packs.
 */
public final class PackLocator {
    /** Objects further apart than this in a pack are read with separate GETs. */
    public static final long MAX_GAP = 1 << 20;
    /** The longest range one GET reads. */
    public static final long MAX_RUN = 16 << 20;

    /** An object's place in a pack. */
    public record Location(PackIndex index, int position) {
        public ObjectId pack() {
            return index.pack();
        }

        public long offset() {
            return index.offset(position);
        }

        public long size() {
            return index.size(position);
        }
    }

    /**
     * One GET: {@code length} bytes of {@code key} from {@code offset} ({@code -1}: the whole key), holding
     * {@code ids} in order at {@code offsets} (from the start of the run) with {@code sizes} ({@code -1}:
     * unknown, to the end); a loose object is a run of its whole key.
     */
    public record Run(String key, long offset, long length, List<ObjectId> ids, List<Long> offsets, List<Long> sizes) {
        public Run {
            ids = List.copyOf(ids);
            offsets = List.copyOf(offsets);
            sizes = List.copyOf(sizes);
        }
    }

    /** The indexes in the order added: an object in two packs is found in the first. */
    private final List<PackIndex> order = new CopyOnWriteArrayList<>();
    private final Map<ObjectId, PackIndex> indexes = new ConcurrentHashMap<>();

    /** Makes the objects of {@code index} (whose id is {@code id}) known; an object in two packs keeps its first. */
    public void add(ObjectId id, PackIndex index) {
        if (indexes.putIfAbsent(id, index) == null) {
            order.add(index);
        }
    }

    public boolean hasIndex(ObjectId id) {
        return indexes.containsKey(id);
    }

    /** Every index added, by id. */
    public Map<ObjectId, PackIndex> indexes() {
        return Map.copyOf(indexes);
    }

    /** Where {@code id} is packed, or null if it is loose (or unknown). */
    public Location locate(ObjectId id) {
        for (PackIndex index : order) {
            int position = index.position(id);
            if (position >= 0) {
                return new Location(index, position);
            }
        }
        return null;
    }

    /** The GET of one object alone. */
    public Run run(ObjectId id) {
        Location at = locate(id);
        return at == null ? new Run(Layout.objectKey(id), 0, -1, List.of(id), List.of(0L), List.of(-1L))
                : run(List.of(at));
    }

    /**
     * The GETs that read {@code ids}: the packed ones grouped by pack and read in ranges of neighbours
     * (no gap over {@link #MAX_GAP}, no range over {@link #MAX_RUN}), the others one loose GET each.
     */
    public List<Run> runs(Collection<ObjectId> ids) {
        Map<ObjectId, List<Location>> byPack = new LinkedHashMap<>();
        List<Run> out = new ArrayList<>();
        for (ObjectId id : new LinkedHashSet<>(ids)) {
            Location at = locate(id);
            if (at == null) {
                out.add(run(id));
            } else {
                byPack.computeIfAbsent(at.pack(), p -> new ArrayList<>()).add(at);
            }
        }
        for (List<Location> inPack : byPack.values()) {
            List<Location> sorted = new ArrayList<>(inPack);
            sorted.sort(Comparator.comparingLong(Location::offset));
            int start = 0;
            for (int i = 1; i <= sorted.size(); i++) {
                boolean cut = i == sorted.size();
                if (!cut) {
                    Location prev = sorted.get(i - 1);
                    Location next = sorted.get(i);
                    long gap = next.offset() - (prev.offset() + prev.size());
                    long length = next.offset() + next.size() - sorted.get(start).offset();
                    cut = gap > MAX_GAP || length > MAX_RUN;
                }
                if (cut) {
                    out.add(run(sorted.subList(start, i)));
                    start = i;
                }
            }
        }
        return out;
    }

    private static Run run(List<Location> members) {
        long first = members.get(0).offset();
        Location last = members.get(members.size() - 1);
        List<ObjectId> ids = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (Location l : members) {
            ids.add(l.index().id(l.position()));
            offsets.add(l.offset() - first);
            sizes.add(l.size());
        }
        return new Run(Layout.packKey(last.pack()), first, last.offset() + last.size() - first, ids, offsets, sizes);
    }
}
