package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class VersionOrderTest {
    private record Item(ObjectId id, Version version) {
    }

    /** A chain of {@code n} versions, each the parent of the next, all at {@code time}. */
    private static List<Item> chain(int n, Instant time) {
        List<Item> chain = new ArrayList<>();
        ObjectId parent = null;
        for (int i = 0; i < n; i++) {
            Version v = Version.of(parent, time, "v" + i, List.of());
            ObjectId id = Hashing.hash(v.encode());
            chain.add(new Item(id, v));
            parent = id;
        }
        return chain;
    }

    @Test
    void sort_sameInstant_parentsBeforeChildren() {
        List<Item> chain = chain(30, Instant.parse("2024-05-01T12:00:00Z"));
        for (int seed = 0; seed < 20; seed++) {
            List<Item> shuffled = new ArrayList<>(chain);
            Collections.shuffle(shuffled, new Random(seed));
            VersionOrder.sort(shuffled, Item::id, Item::version);
            assertEquals(chain, shuffled);
        }
    }

    @Test
    void sort_timeFirst_thenAncestry() {
        List<Item> early = chain(3, Instant.parse("2024-05-01T12:00:00Z"));
        Version late = Version.of(null, Instant.parse("2024-05-02T00:00:00Z"), "other", List.of());
        Item other = new Item(Hashing.hash(late.encode()), late);
        List<Item> all = new ArrayList<>(List.of(other, early.get(2), early.get(0), early.get(1)));
        VersionOrder.sort(all, Item::id, Item::version);
        assertEquals(List.of(early.get(0), early.get(1), early.get(2), other), all);
    }
}
