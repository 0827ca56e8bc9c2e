package verso.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.ObjectStore;

final class PackWriterTest {
    @TempDir
    Path dir;

    @Test
    void finish_objectsAroundTheBufferSize_lieEndToEndAtTheirIndexedOffsets() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        Random rnd = new Random(5);
        int[] sizes = {1, 3000, PackWriter.BUFFER - 3001, PackWriter.BUFFER, 17, PackWriter.BUFFER + 1, 0, 900 << 10, 5};
        List<byte[]> objects = new ArrayList<>();
        Path file;
        try (PackWriter w = new PackWriter(store)) {
            for (int size : sizes) {
                byte[] b = new byte[size];
                rnd.nextBytes(b);
                objects.add(b);
                assertNull(w.add(Hashing.hash(b), b));
            }
            PackWriter.Pack pack = w.finish().orElseThrow();
            file = pack.file();
            byte[] all = Files.readAllBytes(file);
            assertEquals(Hashing.hash(all), pack.id());
            assertEquals(all.length, pack.index().packSize());
            assertEquals(Arrays.stream(sizes).asLongStream().sum(), all.length);
            for (int i = 0; i < sizes.length; i++) {
                ObjectId id = Hashing.hash(objects.get(i));
                assertEquals(id, pack.index().ids().get(i));
                int at = (int) pack.index().offset(i);
                assertArrayEquals(objects.get(i), Arrays.copyOfRange(all, at, at + sizes[i]));
            }
            assertEquals(Hashing.hash(pack.indexBytes()), pack.indexId());
            assertTrue(w.finish().isEmpty(), "nothing after the last pack");
        }
        assertFalse(Files.exists(file), "the pack's temp file is deleted on close");
    }

    @Test
    void add_manyTinyObjects_closesAPackEveryMaxObjects() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        List<PackWriter.Pack> packs = new ArrayList<>();
        int total = PackWriter.MAX_OBJECTS * 2 + 7;
        try (PackWriter w = new PackWriter(store)) {
            for (int i = 0; i < total; i++) {
                byte[] b = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
                PackWriter.Pack closed = w.add(Hashing.hash(b), b);
                if (closed != null) {
                    packs.add(closed);
                }
            }
            w.finish().ifPresent(packs::add);
        }
        assertEquals(3, packs.size(), "tiny objects far below the target size still make several packs");
        assertEquals(PackWriter.MAX_OBJECTS, packs.get(0).index().count());
        assertEquals(PackWriter.MAX_OBJECTS, packs.get(1).index().count());
        assertEquals(7, packs.get(2).index().count());
        assertEquals(Hashing.hash("12345".getBytes(StandardCharsets.UTF_8)),
                packs.get(0).index().id(12345));
    }
}
