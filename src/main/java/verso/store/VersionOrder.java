package verso.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The order of versions in time: oldest first, and among versions of the same instant (imported git
 * commits of one second, say), each after its ancestors, then by id. Time alone would let such a
 * parent pass for the newer one, and {@code latest} name it.
 */
public final class VersionOrder {
    private VersionOrder() {
    }

    /** Sorts {@code items} oldest first; {@code id} and {@code version} read an item's. */
    public static <T> void sort(List<T> items, Function<T, ObjectId> id, Function<T, Version> version) {
        Map<ObjectId, ObjectId> parents = new HashMap<>();
        for (T item : items) {
            parents.put(id.apply(item), version.apply(item).parent());
        }
        Map<ObjectId, Integer> depths = new HashMap<>();
        for (ObjectId start : parents.keySet()) {
            depth(start, parents, depths);
        }
        items.sort(Comparator.comparing((T item) -> version.apply(item).time())
                .thenComparing(item -> depths.get(id.apply(item)))
                .thenComparing(id));
    }

    /** How many of {@code start}'s ancestors are among the versions sorted, found without recursion. */
    private static int depth(ObjectId start, Map<ObjectId, ObjectId> parents, Map<ObjectId, Integer> depths) {
        List<ObjectId> path = new ArrayList<>();
        ObjectId at = start;
        while (at != null && parents.containsKey(at) && !depths.containsKey(at)) {
            path.add(at);
            at = parents.get(at);
            if (path.size() > parents.size()) {
                break; // a cycle cannot be made of content-addressed versions, but a bound costs nothing
            }
        }
        int d = at != null && depths.containsKey(at) ? depths.get(at) + 1 : 0;
        for (int i = path.size() - 1; i >= 0; i--) {
            depths.putIfAbsent(path.get(i), d++);
        }
        return depths.get(start);
    }
}
