package verso.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PackTest {
    private static ObjectId id(int i) {
        return Hashing.hash(("object " + i).getBytes(StandardCharsets.UTF_8));
    }

    private static PackIndex index(ObjectId pack, long... sizes) {
        List<ObjectId> ids = new ArrayList<>();
        List<Long> s = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            ids.add(id(i + 100 * (int) (pack.hashCode() & 0xff)));
            s.add(sizes[i]);
        }
        return PackIndex.of(pack, ids, s);
    }

    @Test
    void packIndex_roundTripsWithOffsetsFromSizes() throws Exception {
        PackIndex p = index(id(-1), 10, 0, 5);
        byte[] bytes = p.encode();
        PackIndex back = PackIndex.decode(Hashing.hash(bytes), bytes);
        assertEquals(p, back);
        assertEquals(List.of(0L, 10L, 10L), List.of(back.offset(0), back.offset(1), back.offset(2)));
        assertEquals(15, back.packSize());
        assertEquals(5, back.size(2));
    }

    /** {@code index} decoded from its encoding with its table in a mapped file of {@code dir}. */
    private static PackIndex mapped(PackIndex index, Path dir) throws IOException {
        byte[] bytes = index.encode();
        return PackIndex.decode(Hashing.hash(bytes), new ByteArrayInputStream(bytes), dir);
    }

    @Test
    void packIndex_mapped_answersAsOnTheHeapAndLeavesNoFile(@TempDir Path dir) throws Exception {
        PackIndex heap = index(id(-2), 7, 0, 3, 12, 1);
        PackIndex mapped = mapped(heap, dir);
        assertTrue(mapped.isMapped());
        assertFalse(heap.isMapped());
        assertEquals(heap, mapped);
        assertEquals(heap.count(), mapped.count());
        assertEquals(23, mapped.packSize());
        for (int i = 0; i < heap.count(); i++) {
            ObjectId id = heap.id(i);
            assertEquals(id, mapped.id(i));
            assertEquals(i, mapped.position(id));
            assertEquals(heap.offset(i), mapped.offset(i));
            assertEquals(heap.size(i), mapped.size(i));
        }
        assertEquals(-1, mapped.position(id(12345)));
        assertArrayEquals(heap.encode(), mapped.encode());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "the mapped file is removed once mapped");
        }
    }

    @Test
    void packIndex_mappedEmpty_hasNoObjects(@TempDir Path dir) throws Exception {
        PackIndex mapped = mapped(index(id(-3)), dir);
        assertEquals(0, mapped.count());
        assertEquals(0, mapped.packSize());
        assertEquals(-1, mapped.position(id(1)));
    }

    @Test
    void packLocator_findsObjectsInMappedIndexes(@TempDir Path dir) throws Exception {
        PackIndex a = index(id(-4), 5, 5);
        PackIndex b = index(id(-5), 9);
        PackLocator l = new PackLocator();
        l.add(id(-6), mapped(a, dir));
        l.add(id(-7), mapped(b, dir));
        PackLocator.Location at = l.locate(a.id(1));
        assertEquals(a.pack(), at.pack());
        assertEquals(5, at.offset());
        assertEquals(b.pack(), l.locate(b.id(0)).pack());
        assertNull(l.locate(id(999)));
    }

    @Test
    void packIndex_decodeRefusesLyingOrMalformedIndexes() {
        String pack = id(-1).hex();
        String a = id(1).hex();
        String b = id(2).hex();
        for (String body : List.of(
                "\"pack\":\"" + pack + "\",\"ids\":[\"" + a + "\",\"" + b + "\"],\"sizes\":[1]",       // fewer sizes than ids
                "\"pack\":\"" + pack + "\",\"ids\":[\"" + a + "\",\"" + a + "\"],\"sizes\":[1,2]",     // an object twice
                "\"pack\":\"" + pack + "\",\"ids\":[\"" + a + "\"],\"sizes\":[-1]",                   // negative size
                "\"pack\":\"" + pack + "\",\"ids\":[\"" + a + "\"],\"sizes\":[\"1\"]",                // a size that is no number
                "\"pack\":\"" + pack + "\",\"ids\":[\"" + a + "\",\"" + b + "\"],\"sizes\":[9223372036854775807,1]", // overflow
                "\"pack\":\"xyz\",\"ids\":[],\"sizes\":[]",
                "\"ids\":[],\"sizes\":[]")) {
            byte[] bytes = ("{\"format\":1,\"kind\":\"pack\"," + body + "}").getBytes(StandardCharsets.UTF_8);
            assertThrows(CorruptObjectException.class, () -> PackIndex.decode(Hashing.hash(bytes), bytes), body);
        }
    }

    @Test
    void versionPacks_roundTripsAndMustNameItsVersion() throws Exception {
        VersionPacks v = new VersionPacks(id(1), List.of(id(2), id(3)));
        assertEquals(v, VersionPacks.decode(id(1), v.encode()));
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> VersionPacks.decode(id(9), v.encode()));
        assertTrue(e.getMessage().contains("another version"), e.getMessage());
    }

    @Test
    void locator_groupsNeighboursIntoOneRun_andSplitsOnGapsAndLength() {
        PackLocator l = new PackLocator();
        long big = PackLocator.MAX_GAP + 1;
        PackIndex p = index(id(-1), 3, 4, big, 5, 6);
        l.add(id(-2), p);
        ObjectId loose = id(12345);
        List<PackLocator.Run> runs = l.runs(List.of(p.ids().get(4), p.ids().get(0), p.ids().get(1), p.ids().get(3), loose));
        assertEquals(3, runs.size(), runs.toString());
        PackLocator.Run looseRun = runs.get(0);
        assertEquals(Layout.objectKey(loose), looseRun.key());
        assertEquals(-1, looseRun.length());
        PackLocator.Run first = runs.get(1);
        assertEquals(Layout.packKey(p.pack()), first.key());
        assertEquals(List.of(p.ids().get(0), p.ids().get(1)), first.ids());
        assertEquals(0, first.offset());
        assertEquals(7, first.length());
        assertEquals(List.of(0L, 3L), first.offsets());
        // the gap before the fourth object (the unread third) is too large: a second GET from there
        PackLocator.Run second = runs.get(2);
        assertEquals(List.of(p.ids().get(3), p.ids().get(4)), second.ids());
        assertEquals(p.offset(3), second.offset());
        assertEquals(11, second.length());
        assertNull(l.locate(loose));
        assertEquals(p.offset(4), l.locate(p.ids().get(4)).offset());
    }

    @Test
    void locator_neverReadsMoreThanMaxRunInOneGet() {
        PackLocator l = new PackLocator();
        long part = PackLocator.MAX_RUN / 3 + 1;
        PackIndex p = index(id(-3), part, part, part, part);
        l.add(id(-4), p);
        List<PackLocator.Run> runs = l.runs(p.ids());
        assertEquals(2, runs.size());
        assertTrue(runs.stream().allMatch(r -> r.length() <= PackLocator.MAX_RUN));
        assertEquals(4, runs.get(0).ids().size() + runs.get(1).ids().size());
    }

    @Test
    void packIndex_position_findsEveryIdByBinarySearch_andMinusOneForOthers() throws Exception {
        List<ObjectId> ids = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            ids.add(id(i));
            sizes.add((long) (i % 7));
        }
        PackIndex p = PackIndex.of(id(-1), ids, sizes);
        byte[] bytes = p.encode();
        PackIndex back = PackIndex.decode(Hashing.hash(bytes), bytes);
        for (PackIndex index : List.of(p, back)) {
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(i, index.position(ids.get(i)));
                assertEquals(ids.get(i), index.id(i));
            }
            assertEquals(-1, index.position(id(-7)));
            assertEquals(ids, index.ids());
        }
    }

    @Test
    void packIndex_position_findsNoIdItDoesNotHold_evenOneBeginningLikeAHeldId() throws Exception {
        for (int count : new int[] {1, 2, 100, 20_000}) {
            List<ObjectId> ids = new ArrayList<>();
            List<Long> sizes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(id(i));
                sizes.add(1L);
            }
            PackIndex p = PackIndex.of(id(-1), ids, sizes);
            for (int i = 0; i < count; i++) {
                assertEquals(i, p.position(ids.get(i)));
                byte[] near = ids.get(i).toBytes();
                near[31] ^= 1;
                assertEquals(-1, p.position(ObjectId.fromBytes(near)));
            }
            int found = 0;
            for (int i = count; i < count + 50_000; i++) {
                found += p.position(id(i)) >= 0 ? 1 : 0;
            }
            assertEquals(0, found);
        }
    }

    @Test
    void locator_anObjectInTwoPacks_isFoundInTheFirstAdded() {
        ObjectId shared = id(77);
        PackIndex first = PackIndex.of(id(-10), List.of(id(70), shared), List.of(5L, 6L));
        PackIndex second = PackIndex.of(id(-11), List.of(shared), List.of(6L));
        PackLocator l = new PackLocator();
        l.add(id(-12), first);
        l.add(id(-13), second);
        assertEquals(first.pack(), l.locate(shared).pack());
        assertEquals(5, l.locate(shared).offset());
        assertEquals(second, l.indexes().get(id(-13)));
    }
}
