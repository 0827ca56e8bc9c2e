package verso.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.CorruptObjectException;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;

final class OrderedReadsTest {
    @TempDir
    Path dir;

    private final List<ObjectId> ids = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();
    private final List<byte[]> contents = new ArrayList<>();

    private ObjectStore storeOf(int count, int maxSize) throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        Random rnd = new Random(7);
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[1 + rnd.nextInt(maxSize)];
            rnd.nextBytes(b);
            ids.add(store.insert(b));
            sizes.add((long) b.length);
            contents.add(b);
        }
        return store;
    }

    /** Reads every object of {@code store}: each must come once, with its bytes, in the order asked. */
    private void assertReadInOrder(ObjectStore store) throws IOException {
        List<ObjectId> got = new ArrayList<>();
        try (OrderedReads reads = new OrderedReads(store)) {
            reads.forEach(ids, sizes, (id, bytes) -> {
                assertArrayEquals(contents.get(got.size()), bytes);
                got.add(id);
            });
        }
        assertEquals(ids, got);
    }

    /** Spoils object {@code bad}: the reads must give every object before it, then fail on it. */
    private void assertFailsAtCorrupt(ObjectStore store, int bad) throws IOException {
        Files.write(store.pathOf(ids.get(bad)), new byte[] {1, 2, 3});
        List<ObjectId> got = new ArrayList<>();
        try (OrderedReads reads = new OrderedReads(store)) {
            assertThrows(CorruptObjectException.class, () -> reads.forEach(ids, sizes, (id, bytes) -> got.add(id)));
        }
        assertEquals(ids.subList(0, bad), got);
    }

    @Test
    void forEach_moreObjectsThanTheWindow_givesEachInTheOrderAsked() throws IOException {
        // more objects than WINDOW_OBJECTS and more bytes than WINDOW_BYTES, so the window slides
        assertReadInOrder(storeOf(OrderedReads.WINDOW_OBJECTS * 3, 16 << 10));
    }

    @Test
    void forEach_manyTinyObjects_givesEachOnceInOrder_acrossBatches() throws IOException {
        // batches are cut by count here, the last one short
        assertReadInOrder(storeOf(OrderedReads.BATCH_OBJECTS * 20 + 3, 8));
    }

    @Test
    void forEach_corruptObjectInALaterBatch_failsAtItsTurnAfterTheOnesBefore() throws IOException {
        assertFailsAtCorrupt(storeOf(OrderedReads.BATCH_OBJECTS * 4, 8), OrderedReads.BATCH_OBJECTS * 2 + 5);
    }

    @Test
    void forEach_corruptObject_failsAtItsTurnAfterTheOnesBefore() throws IOException {
        assertFailsAtCorrupt(storeOf(50, 4096), 20);
    }

    @Test
    void forEach_objectLargerThanTheWindow_isStillRead() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        byte[] big = new byte[(int) OrderedReads.WINDOW_BYTES + 1];
        big[3] = 1;
        ObjectId id = store.insert(big);
        List<ObjectId> got = new ArrayList<>();
        try (OrderedReads reads = new OrderedReads(store)) {
            reads.forEach(List.of(id, id), List.of((long) big.length, (long) big.length), (i, bytes) -> got.add(i));
        }
        assertEquals(List.of(id, id), got);
    }

    @Test
    void forEach_missingObject_failsNamingIt() throws IOException {
        ObjectStore store = storeOf(5, 4096);
        Files.delete(store.pathOf(ids.get(4)));
        try (OrderedReads reads = new OrderedReads(store)) {
            MissingObjectException e = assertThrows(MissingObjectException.class,
                    () -> reads.forEach(ids, sizes, (id, bytes) -> { }));
            assertEquals(ids.get(4), e.id());
        }
    }
}
