package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ObjectIdSetTest {
    private static ObjectId id(int i) {
        return Hashing.hash(("object " + i).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void add_manyIds_growsAndKeepsEveryOne() {
        ObjectIdSet set = new ObjectIdSet();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(set.add(id(i)));
        }
        assertEquals(100_000, set.size());
        for (int i = 0; i < 100_000; i++) {
            assertTrue(set.contains(id(i)), "id " + i);
        }
        assertFalse(set.contains(id(100_000)));
    }

    @Test
    void add_sameIdTwice_isAddedOnce() {
        ObjectIdSet set = new ObjectIdSet();
        assertTrue(set.add(id(1)));
        assertFalse(set.add(ObjectId.fromHex(id(1).hex())));
        assertEquals(1, set.size());
    }

    @Test
    void iterator_givesEveryIdOnce() {
        ObjectIdSet set = new ObjectIdSet();
        Set<ObjectId> expected = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            set.add(id(i));
            expected.add(id(i));
        }
        Set<ObjectId> seen = new HashSet<>();
        for (ObjectId o : set) {
            assertTrue(seen.add(o), "given twice: " + o);
        }
        assertEquals(expected, seen);
    }

    @Test
    void add_idsSharingTheirFirstBytes_areStillDistinct() {
        ObjectIdSet set = new ObjectIdSet();
        byte[] b = new byte[ObjectId.LENGTH];
        for (int i = 0; i < 200; i++) {
            b[31] = (byte) i; // same hash for all: every one probes past the others
            assertTrue(set.add(ObjectId.fromBytes(b)));
        }
        b[31] = 5;
        assertTrue(set.contains(ObjectId.fromBytes(b)));
        assertEquals(200, set.size());
    }

    @Test
    void clear_emptiesTheSet() {
        ObjectIdSet set = new ObjectIdSet();
        set.add(id(1));
        set.clear();
        assertEquals(0, set.size());
        assertFalse(set.contains(id(1)));
    }
}
