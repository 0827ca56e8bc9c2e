package verso.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LocalPacksTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> files(String glob) throws IOException {
        Path packs = dir.resolve("packs");
        if (!Files.isDirectory(packs)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(packs, glob)) {
            ds.forEach(out::add);
        }
        return out;
    }

    private Set<ObjectId> all(ObjectStore store) throws IOException {
        Set<ObjectId> ids = new HashSet<>();
        store.forEach(ids::add);
        return ids;
    }

    @Test
    void packing_smallObjectsGoIntoOnePack_largeOnesStayLoose_readableBeforeAndAfter() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        byte[] big = new byte[ObjectStore.PACKED_BELOW];
        big[7] = 7;
        ObjectId a;
        ObjectId b;
        ObjectId large;
        ObjectId tree;
        try (ObjectStore.Packing packing = store.packing()) {
            a = store.insert(bytes("alpha"));
            b = store.insert(bytes("beta"));
            assertEquals(a, store.insert(bytes("alpha")), "an object is packed once");
            large = store.insert(big);
            tree = store.insert(out -> out.write(bytes("a streamed object")));
            assertArrayEquals(bytes("alpha"), store.read(a), "readable before the pack is published");
            assertEquals(4, store.size(b));
            assertTrue(files("*.idx").isEmpty(), "nothing is published before the end");
        }
        assertFalse(Files.exists(store.pathOf(a)));
        assertFalse(Files.exists(store.pathOf(tree)));
        assertTrue(Files.isRegularFile(store.pathOf(large)));
        assertEquals(1, files("*.idx").size());
        assertEquals(1, files("*.pack").size());
        assertTrue(Files.list(dir.resolve("tmp")).findAny().isEmpty(), "no temp file is left");

        ObjectStore other = new ObjectStore(dir);
        assertArrayEquals(bytes("beta"), other.read(b, 4));
        assertArrayEquals(bytes("a streamed object"), other.read(tree));
        assertArrayEquals(big, other.read(large));
        assertEquals(5, other.size(a));
        other.verify(a);
        assertEquals(Set.of(a, b, tree, large), all(other));
        assertThrows(CorruptObjectException.class, () -> other.read(a, 6), "a size other than the index's");
        assertThrows(MissingObjectException.class, () -> other.read(Hashing.hash(bytes("absent"))));
        assertTrue(other.packProblems().isEmpty());
    }

    @Test
    void packing_fullPack_isPublishedAndAnotherBegun() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        int n = (int) (LocalPacks.MAX_BYTES / (ObjectStore.PACKED_BELOW - 1)) + 2;
        List<ObjectId> ids = new ArrayList<>();
        try (ObjectStore.Packing packing = store.packing()) {
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[ObjectStore.PACKED_BELOW - 1];
                b[0] = (byte) i;
                ids.add(store.insert(b));
            }
            assertEquals(1, files("*.idx").size(), "the first pack is published once it is full");
        }
        assertEquals(2, files("*.idx").size());
        ObjectStore other = new ObjectStore(dir);
        for (ObjectId id : ids) {
            assertEquals(ObjectStore.PACKED_BELOW - 1, other.read(id).length);
        }
    }

    @Test
    void packPublishedByAnotherProcess_isFoundWhenRead() throws IOException {
        ObjectStore reader = new ObjectStore(dir).create();
        ObjectId early = reader.insert(bytes("early"));
        assertArrayEquals(bytes("early"), reader.read(early)); // the packs are listed: none yet
        ObjectStore writer = new ObjectStore(dir);
        ObjectId late;
        try (ObjectStore.Packing packing = writer.packing()) {
            late = writer.insert(bytes("late"));
        }
        assertArrayEquals(bytes("late"), reader.read(late));
        assertTrue(reader.contains(late));
    }

    @Test
    void delete_writesAPackAgainWithoutTheDoomed_andRemovesAPackOfNothingElse() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId a;
        ObjectId b;
        ObjectId c;
        try (ObjectStore.Packing packing = store.packing()) {
            a = store.insert(bytes("a"));
            b = store.insert(bytes("b"));
            c = store.insert(bytes("c"));
        }
        ObjectId loose = store.insert(bytes("loose"));
        long epoch = store.removalEpoch();
        Path first = files("*.pack").get(0);

        store.delete(Set.of(b, loose));
        assertNotEquals(epoch, store.removalEpoch());
        assertFalse(store.contains(b));
        assertFalse(store.contains(loose));
        assertFalse(Files.exists(first), "the old pack is removed");
        ObjectStore other = new ObjectStore(dir);
        assertEquals(Set.of(a, c), all(other));
        assertArrayEquals(bytes("c"), other.read(c));
        assertEquals(1, files("*.pack").size());

        store.delete(Set.of(a, c));
        assertTrue(files("*").isEmpty(), files("*").toString());
        assertTrue(all(new ObjectStore(dir)).isEmpty());
    }

    @Test
    void damagedObjectInAPack_failsItsReadAndVerify() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId a;
        try (ObjectStore.Packing packing = store.packing()) {
            store.insert(bytes("first"));
            a = store.insert(bytes("second"));
        }
        try (RandomAccessFile f = new RandomAccessFile(files("*.pack").get(0).toFile(), "rw")) {
            f.seek(7);
            f.write('X');
        }
        ObjectStore other = new ObjectStore(dir);
        assertThrows(CorruptObjectException.class, () -> other.read(a));
        assertThrows(CorruptObjectException.class, () -> other.verify(a));
    }

    @Test
    void damagedOrHalfWrittenPacks_arePassedOver_andReported() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId a;
        try (ObjectStore.Packing packing = store.packing()) {
            a = store.insert(bytes("kept"));
        }
        Path idx = files("*.idx").get(0);
        Path pack = files("*.pack").get(0);
        // a pack whose index was never moved into place (a writer that stopped): not listed, then cleared
        Path orphan = dir.resolve("packs").resolve(Hashing.hash(bytes("x")).hex() + LocalPacks.PACK);
        Files.write(orphan, bytes("x"));
        assertTrue(new ObjectStore(dir).packProblems().isEmpty());
        assertEquals(1, store.clearTemp());
        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(pack));

        Files.write(pack, bytes("short"));
        ObjectStore shortPack = new ObjectStore(dir);
        assertFalse(shortPack.contains(a));
        assertThrows(MissingObjectException.class, () -> shortPack.read(a));
        List<String> problems = shortPack.packProblems();
        assertTrue(problems.get(0).contains("its pack is 5 bytes"), problems.toString());

        byte[] index = Files.readAllBytes(idx);
        Files.write(idx, java.util.Arrays.copyOf(index, index.length - 1));
        assertTrue(new ObjectStore(dir).packProblems().get(0).contains("bytes long for 1 objects"));
        Files.write(idx, bytes("not an index at all"));
        assertTrue(new ObjectStore(dir).packProblems().get(0).contains("not a pack index"));
    }

    @Test
    void indexWithPositionsPastTheEnd_findsNothing_andIsReported() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        List<ObjectId> ids = new ArrayList<>();
        try (ObjectStore.Packing packing = store.packing()) {
            for (String s : List.of("one", "two", "three")) {
                ids.add(store.insert(bytes(s)));
            }
        }
        Path idx = files("*.idx").get(0);
        byte[] index = Files.readAllBytes(idx);
        int sortedAt = index.length - 3 * Integer.BYTES;
        for (int i = 0; i < 3; i++) {
            index[sortedAt + i * Integer.BYTES + 3] = (byte) (9 + i); // positions past the end
        }
        Files.write(idx, index);
        ObjectStore other = new ObjectStore(dir);
        for (ObjectId id : ids) {
            assertFalse(other.contains(id));
        }
        assertTrue(other.packProblems().get(0).contains("its index is damaged"), other.packProblems().toString());
    }
}
