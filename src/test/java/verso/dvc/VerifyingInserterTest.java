package verso.dvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.BlockIndex;
import verso.store.FileInserter;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.testing.DvcFixture;

final class VerifyingInserterTest {
    private static final int BLOCK = 1024;

    @TempDir
    Path dir;

    private ObjectStore store() throws Exception {
        return new ObjectStore(dir.resolve("store")).create();
    }

    private Path file(String name, byte[] content) throws Exception {
        return Files.write(dir.resolve(name), content);
    }

    @Test
    void insert_sameObjectsAsAdd_forEverySize() throws Exception {
        ObjectStore store = store();
        VerifyingInserter v = new VerifyingInserter(store, BLOCK);
        FileInserter add = new FileInserter(store, BLOCK, Runnable::run, 4, n -> { });
        Random r = new Random(7);
        for (int size : new int[] {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK, 5 * BLOCK + 17}) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            Path f = file("f" + size, b);
            AtomicLong read = new AtomicLong();
            FileInserter.FileContent got = v.insert(f, DvcFixture.md5(b), false, read::addAndGet);
            assertEquals(add.insertAndWait(f, size), got, "size " + size);
            assertEquals(size, read.get());
        }
    }

    @Test
    void insert_md5Mismatch_throwsAndPublishesNoIndex() throws Exception {
        ObjectStore store = store();
        byte[] b = new byte[3 * BLOCK];
        new Random(1).nextBytes(b);
        String wrong = DvcFixture.md5("other".getBytes(StandardCharsets.UTF_8));
        VerifyingInserter v = new VerifyingInserter(store, BLOCK);
        assertThrows(VerifyingInserter.Mismatch.class, () -> v.insert(file("big", b), wrong, false, n -> { }));
        FileInserter.FileContent right = new FileInserter(new ObjectStore(dir.resolve("ref")).create(), BLOCK, Runnable::run, 4, n -> { })
                .insertAndWait(dir.resolve("big"), b.length);
        assertFalse(store.contains(right.id()), "no block index for a file whose md5 did not match");

        byte[] small = "small".getBytes(StandardCharsets.UTF_8);
        ObjectStore fresh = new ObjectStore(dir.resolve("fresh")).create();
        assertThrows(VerifyingInserter.Mismatch.class,
                () -> new VerifyingInserter(fresh, BLOCK).insert(file("small", small), wrong, false, n -> { }));
        assertFalse(fresh.contains(verso.store.Hashing.hash(small)), "a one-block file is stored only if it matched");
    }

    /** Runs tasks on a thread of its own and counts them. */
    private static final class CountingExecutor implements Executor, AutoCloseable {
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final AtomicInteger submitted = new AtomicInteger();
        final Set<Thread> ranOn = ConcurrentHashMap.newKeySet();

        @Override
        public void execute(Runnable task) {
            submitted.incrementAndGet();
            thread.execute(() -> {
                ranOn.add(Thread.currentThread());
                task.run();
            });
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    @Test
    void insert_largeFile_hashesBlocksOnTheHashers() throws Exception {
        ObjectStore store = store();
        byte[] b = new byte[5 * BLOCK + 17];
        new Random(3).nextBytes(b);
        Path f = file("big", b);
        try (CountingExecutor hashers = new CountingExecutor()) {
            AtomicLong read = new AtomicLong();
            FileInserter.FileContent got = new VerifyingInserter(store, BLOCK, hashers, 2)
                    .insert(f, DvcFixture.md5(b), false, read::addAndGet);
            assertEquals(new FileInserter(store, BLOCK, Runnable::run, 4, n -> { }).insertAndWait(f, b.length), got);
            assertEquals(6, hashers.submitted.get(), "each of the 6 blocks is hashed on the hashers");
            assertFalse(hashers.ranOn.contains(Thread.currentThread()));
            assertEquals(b.length, read.get());
        }
    }

    @Test
    void insert_largeFileMd5Mismatch_waitsForItsBlocksAndPublishesNoIndex() throws Exception {
        ObjectStore store = store();
        byte[] b = new byte[4 * BLOCK];
        new Random(5).nextBytes(b);
        Path f = file("big", b);
        String wrong = DvcFixture.md5("other".getBytes(StandardCharsets.UTF_8));
        try (CountingExecutor hashers = new CountingExecutor()) {
            VerifyingInserter v = new VerifyingInserter(store, BLOCK, hashers, 1);
            assertThrows(VerifyingInserter.Mismatch.class, () -> v.insert(f, wrong, false, n -> { }));
            assertEquals(4, hashers.submitted.get());
        }
        ObjectStore ref = new ObjectStore(dir.resolve("ref")).create();
        FileInserter.FileContent right = new FileInserter(ref, BLOCK, Runnable::run, 4, n -> { })
                .insertAndWait(f, b.length);
        for (ObjectId block : BlockIndex.decode(right.id(), ref.read(right.id())).blocks()) {
            assertTrue(store.contains(block), "every block was stored before insert returned");
        }
        assertFalse(store.contains(right.id()), "no block index for a file whose md5 did not match");
    }

    @Test
    void insert_dvc2TextMd5_acceptedForLegacyOnly() throws Exception {
        byte[] crlf = "a,b\r\n1,2\r\n\r\nlast\r".getBytes(StandardCharsets.UTF_8);
        String unix = DvcFixture.md5("a,b\n1,2\n\nlast\r".getBytes(StandardCharsets.UTF_8));
        Path f = file("t.csv", crlf);
        assertEquals(unix, VerifyingInserter.textMd5(f));
        VerifyingInserter v = new VerifyingInserter(store(), 4);
        FileInserter.FileContent fc = v.insert(f, unix, true, n -> { });
        assertEquals(crlf.length, fc.size());
        assertThrows(VerifyingInserter.Mismatch.class, () -> v.insert(f, unix, false, n -> { }));
    }

    @Test
    void looksLikeText_dvcRule() throws Exception {
        assertTrue(VerifyingInserter.looksLikeText(file("e", new byte[0])));
        assertTrue(VerifyingInserter.looksLikeText(file("t", "héllo\r\n".getBytes(StandardCharsets.UTF_8))));
        assertFalse(VerifyingInserter.looksLikeText(file("z", new byte[] {'a', 0, 'b'})));
        assertFalse(VerifyingInserter.looksLikeText(file("h", new byte[] {(byte) 0x80, (byte) 0x81, 'a'})));
    }
}
