package verso.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ObjectStoreTest {
    @TempDir
    Path dir;
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    @Test
    void insert_storesUnderFanoutPathAndReadsBackVerified() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        ObjectId id = store.insert(data);
        assertTrue(Files.isRegularFile(dir.resolve("objects").resolve(id.fanoutPath())));
        assertArrayEquals(data, store.read(id));
        assertEquals(5, store.size(id));
        assertEquals(id, store.insert(data));
        List<ObjectId> all = new ArrayList<>();
        store.forEach(all::add);
        assertEquals(List.of(id), all);
    }

    @Test
    void insertExpectedBytes_storesRightBytes_refusesWrongOnes() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        byte[] right = "right".getBytes(StandardCharsets.UTF_8);
        ObjectId expected = Hashing.hash(right);
        assertThrows(CorruptObjectException.class, () -> store.insert(expected, "wrong".getBytes(StandardCharsets.UTF_8)));
        assertFalse(store.contains(expected));
        store.insert(expected, right);
        assertArrayEquals(right, store.read(expected));
        store.insert(expected, right);
        try (var s = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void insertExpected_refusesWrongBytesAndLeavesNothing() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId expected = Hashing.hash("right".getBytes(StandardCharsets.UTF_8));
        assertThrows(CorruptObjectException.class,
                () -> store.insert(expected, new ByteArrayInputStream("wrong".getBytes(StandardCharsets.UTF_8))));
        assertFalse(store.contains(expected));
        try (var s = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void readAndVerify_detectCorruption() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId id = store.insert("content".getBytes(StandardCharsets.UTF_8));
        Files.writeString(store.pathOf(id), "tampered");
        assertThrows(CorruptObjectException.class, () -> store.read(id));
        assertThrows(CorruptObjectException.class, () -> store.verify(id));
        ObjectId absent = Hashing.hash(new byte[] {1});
        assertThrows(MissingObjectException.class, () -> store.read(absent));
    }

    @Test
    void readOfSize_refusesAnotherLength_andReadsTheRight() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        ObjectId id = store.insert("content".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("content".getBytes(StandardCharsets.UTF_8), store.read(id, 7));
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> store.read(id, 6));
        assertTrue(e.getMessage().contains("its 7 bytes do not match the 6"), e.getMessage());
        Files.writeString(store.pathOf(id), "tamperd");
        assertThrows(CorruptObjectException.class, () -> store.read(id, 7));
        assertThrows(MissingObjectException.class, () -> store.read(Hashing.hash(new byte[] {1}), 1));
    }

    @Test
    void read_givesWholeObjectsOfAnySize_andTellsMissingFromUnreadable() throws Exception {
        ObjectStore store = new ObjectStore(dir).create();
        for (int size : new int[] {0, 1, 8191, 8192, 8193, 1 << 20}) {
            byte[] data = new byte[size];
            new Random(size).nextBytes(data);
            assertArrayEquals(data, store.read(store.insert(data)));
        }
        ObjectId id = store.insert("content".getBytes(StandardCharsets.UTF_8));
        Files.writeString(store.pathOf(id), "content and more");
        assertThrows(CorruptObjectException.class, () -> store.read(id));
        Files.writeString(store.pathOf(id), "conten");
        assertThrows(CorruptObjectException.class, () -> store.read(id));
        ObjectId dirId = Hashing.hash(new byte[] {2});
        Files.createDirectories(store.pathOf(dirId));
        IOException e = assertThrows(IOException.class, () -> store.read(dirId));
        assertFalse(e instanceof MissingObjectException, e.toString());
    }

    @Test
    void fileInserter_smallFileIsOneBlob() throws Exception {
        ObjectStore store = new ObjectStore(dir.resolve("c")).create();
        FileInserter ins = new FileInserter(store, 16, pool, 4, n -> { });
        for (int size : new int[] {0, 1, 15, 16}) {
            byte[] data = random(size);
            Path f = Files.write(dir.resolve("f" + size), data);
            FileInserter.FileContent c = ins.insertAndWait(f, size);
            assertFalse(c.chunked());
            assertEquals(Hashing.hash(data), c.id());
            assertArrayEquals(data, store.read(c.id()));
        }
    }

    @Test
    void fileInserter_largeFileIsBlocksThatReassemble() throws Exception {
        ObjectStore store = new ObjectStore(dir.resolve("c")).create();
        AtomicLong progress = new AtomicLong();
        FileInserter ins = new FileInserter(store, 16, pool, 2, progress::addAndGet);
        byte[] data = random(16 * 5 + 3);
        Path f = Files.write(dir.resolve("big"), data);
        FileInserter.FileContent c = ins.insertAndWait(f, data.length);
        assertTrue(c.chunked());
        assertEquals(data.length, progress.get());
        BlockIndex bi = BlockIndex.decode(c.id(), store.read(c.id()));
        assertEquals(6, bi.blocks().size());
        var out = new java.io.ByteArrayOutputStream();
        for (ObjectId b : bi.blocks()) {
            out.write(store.read(b));
        }
        assertArrayEquals(data, out.toByteArray());
    }

    @Test
    void fileInserter_sizeChangedWhileReadingFails() throws Exception {
        ObjectStore store = new ObjectStore(dir.resolve("c")).create();
        FileInserter ins = new FileInserter(store, 16, pool, 2, n -> { });
        Path f = Files.write(dir.resolve("f"), random(40));
        assertThrows(java.io.IOException.class, () -> ins.insertAndWait(f, 50));
        assertThrows(java.io.IOException.class, () -> ins.insertAndWait(f, 30));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
