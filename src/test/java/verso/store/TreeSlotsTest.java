package verso.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class TreeSlotsTest {
    private static ObjectId id(int i) {
        return Hashing.hash(("object " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static TreeEntry entry(String name, int i) {
        return switch (i % 4) {
            case 0 -> TreeEntry.file(name, i, false, id(i), false);
            case 1 -> TreeEntry.file(name, i * 1000L, true, id(i), true);
            case 2 -> TreeEntry.dir(name, i, 3, id(i));
            default -> TreeEntry.symlink(name, "target-" + i);
        };
    }

    /** Names in any order, entries set in any order: the tree Tree.of makes of the same entries. */
    @Test
    void build_givesTheTreeOfTheSameEntriesSorted() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            names.add("n" + Integer.toString(i * 7919 % 5000, 36) + (i % 3 == 0 ? "é" : ""));
        }
        names.add("Z");
        names.add("a b");
        Collections.shuffle(names, new Random(1));
        TreeSlots slots = new TreeSlots();
        names.forEach(slots::addName);
        slots.sort();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(2));
        List<TreeEntry> expected = new ArrayList<>();
        for (int i : order) {
            TreeEntry e = entry(slots.name(i), i);
            slots.set(i, e);
            expected.add(e);
        }
        Tree built = slots.build();
        Tree of = Tree.of(expected);
        assertEquals(of.entries(), built.entries());
        assertArrayEquals(of.encode(), built.encode());
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        built.encode(streamed);
        assertArrayEquals(of.encode(), streamed.toByteArray());
        assertEquals(Hashing.hash(of.encode()), built.hash());
        // decoded, over more than one chunk of entries
        Tree decoded = Tree.decode(built.hash(), built.encode());
        assertEquals(of.entries(), decoded.entries());
        for (TreeEntry e : expected) {
            assertEquals(e, decoded.find(e.name()));
        }
    }

    @Test
    void build_leavesOutDroppedPositions_keepingTheOthersAndTheirTargets() {
        TreeSlots slots = new TreeSlots();
        for (String n : List.of("e", "d", "c", "b", "a")) {
            slots.addName(n);
        }
        slots.sort();
        slots.drop(0);
        slots.set(1, TreeEntry.symlink("b", "to-b"));
        slots.drop(2);
        slots.set(3, TreeEntry.symlink("d", "to-d"));
        slots.set(4, entry("e", 0));
        Tree t = slots.build();
        assertEquals(List.of(TreeEntry.symlink("b", "to-b"), TreeEntry.symlink("d", "to-d"), entry("e", 0)),
                t.entries());
        assertEquals("to-d", t.find("d").target());
    }

    @Test
    void build_refusesAPositionNeverSet_andNamesATreeCannotHold() {
        TreeSlots unset = new TreeSlots();
        unset.addName("a");
        unset.addName("b");
        unset.sort();
        unset.set(0, entry("a", 0));
        assertThrows(IllegalStateException.class, unset::build);

        TreeSlots dots = new TreeSlots();
        dots.addName("..");
        dots.sort();
        dots.set(0, entry("..", 0));
        assertThrows(IllegalArgumentException.class, dots::build);

        TreeSlots twice = new TreeSlots();
        twice.addName("x");
        twice.addName("x");
        twice.sort();
        twice.set(0, entry("x", 0));
        twice.set(1, entry("x", 0));
        assertThrows(IllegalArgumentException.class, twice::build);
    }

    @Test
    void anEmptyListing_isTheEmptyTree() {
        TreeSlots slots = new TreeSlots();
        slots.sort();
        assertArrayEquals(Tree.empty().encode(), slots.build().encode());
    }
}
