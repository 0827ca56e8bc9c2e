package verso.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import verso.cache.BlockCache;
import verso.cache.BufferPool;
import verso.remote.ControlledRemote;
import verso.remote.RemoteException;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

final class BlockReaderTest {
    private static final int BS = 1000;

    enum Where { LOCAL, REMOTE }

    @TempDir
    Path dir;

    private final ControlledRemote remote = new ControlledRemote();
    private ObjectStore local;

    private ObjectStore local() throws IOException {
        if (local == null) {
            local = new ObjectStore(dir.resolve("cache")).create();
        }
        return local;
    }

    private static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private ObjectId put(Where where, byte[] bytes) throws IOException {
        ObjectId id = Hashing.hash(bytes);
        if (where == Where.LOCAL) {
            local().insert(bytes);
        } else {
            remote.put("objects/" + id.fanoutPath(), bytes);
        }
        return id;
    }

    private static String key(ObjectId id) {
        return "objects/" + id.fanoutPath();
    }

    /** Stores a file as verso does: one blob up to a block, else blocks and an index. */
    private TreeEntry storeFile(Where where, String name, byte[] bytes) throws IOException {
        if (bytes.length <= BS) {
            return TreeEntry.file(name, bytes.length, false, put(where, bytes), false);
        }
        List<ObjectId> blocks = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += BS) {
            blocks.add(put(where, Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + BS))));
        }
        ObjectId index = put(where, new BlockIndex(BS, bytes.length, blocks).encode());
        return TreeEntry.file(name, bytes.length, false, index, true);
    }

    /** Stores each of {@code contents} as a remote-only file f0, f1, ...; returns their entries. */
    private List<TreeEntry> storeRemoteFiles(List<byte[]> contents) throws IOException {
        List<TreeEntry> entries = new ArrayList<>();
        for (int i = 0; i < contents.size(); i++) {
            entries.add(storeFile(Where.REMOTE, "f" + i, contents.get(i)));
        }
        return entries;
    }

    private BlockReader reader(Where where, long cacheBytes, int maxWindow) throws IOException {
        ObjectReader objects = where == Where.LOCAL
                ? new ObjectReader(local(), null, new BlockCache(cacheBytes, Runnable::run))
                : new ObjectReader(null, remote, new BlockCache(cacheBytes, Runnable::run));
        return new BlockReader(objects, Runnable::run, maxWindow, Integer.MAX_VALUE);
    }

    /** Reads into the middle of a direct buffer, as the mount does into the kernel's buffer. */
    private static byte[] read(ContentSource.OpenFile f, long offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(length + 7).position(3).limit(3 + length);
        int n = f.read(offset, dst);
        assertEquals(3 + n, dst.position(), "the read advances the buffer by its count");
        byte[] out = new byte[n];
        dst.get(3, out);
        return out;
    }

    private static byte[] expected(byte[] original, long offset, int length) {
        int from = (int) Math.min(offset, original.length);
        return Arrays.copyOfRange(original, from, (int) Math.min(original.length, offset + length));
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void read_everyBoundaryMatchesOriginal(Where where) throws IOException {
        int[] sizes = {0, 1, BS - 1, BS, BS + 1, 2 * BS, 3 * BS + 500};
        long[] offsets = {0, 1, BS - 1, BS, BS + 1, 2 * BS - 1, 2 * BS, 2 * BS + 1, 3 * BS + 499, 3 * BS + 500, 10 * BS};
        int[] lengths = {0, 1, 2, BS - 1, BS, BS + 1, 2 * BS + 3, 5 * BS};
        try (BlockReader reader = reader(where, 1 << 20, 4)) {
            for (int size : sizes) {
                byte[] original = content(size, size);
                TreeEntry entry = storeFile(where, "f" + size, original);
                assertEquals(size > BS, entry.chunked());
                try (ContentSource.OpenFile f = reader.open(entry)) {
                    for (long off : offsets) {
                        for (int len : lengths) {
                            assertArrayEquals(expected(original, off, len), read(f, off, len),
                                    "size " + size + " offset " + off + " length " + len);
                        }
                    }
                    for (long off : new long[] {size - 1L, size, size + 1L}) {
                        if (off >= 0) {
                            assertArrayEquals(expected(original, off, 10), read(f, off, 10));
                        }
                    }
                }
            }
        }
    }

    @Test
    void read_wholeFileInOddSizedReadsMatches() throws IOException {
        byte[] original = content(17 * BS + 321, 7);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 4);
             ContentSource.OpenFile f = reader.open(entry)) {
            byte[] out = new byte[original.length];
            int pos = 0;
            int step = 333;
            while (true) {
                int n = f.read(pos, ByteBuffer.wrap(out, pos, Math.min(step, out.length - pos)));
                if (n == 0) {
                    break;
                }
                pos += n;
            }
            assertArrayEquals(original, out);
            assertEquals(18 + 1, remote.gets(), "each block and the index fetched exactly once");
        }
    }

    @Test
    void read_corruptRemoteBlockFailsThatReadOnly() throws IOException {
        byte[] original = content(4 * BS, 3);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0);
             ContentSource.OpenFile f = reader.open(entry)) {
            ObjectId block1 = Hashing.hash(Arrays.copyOfRange(original, BS, 2 * BS));
            byte[] good = remote.store.getBytes(key(block1));
            byte[] bad = good.clone();
            bad[17] ^= 1;
            remote.store.corrupt(key(block1), bad);

            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> read(f, BS + 5, 10));
            assertEquals(block1, e.id());
            assertThrows(CorruptObjectException.class, () -> read(f, BS, BS), "not cached, still refused");
            assertArrayEquals(expected(original, 0, BS), read(f, 0, BS));
            assertArrayEquals(expected(original, 2 * BS, 2 * BS), read(f, 2 * BS, 2 * BS));
            assertEquals(2, reader.stats().verificationFailures());

            remote.store.corrupt(key(block1), good);
            assertArrayEquals(expected(original, 0, 4 * BS), read(f, 0, 4 * BS), "repaired: served again");
        }
    }

    @Test
    void read_failedBlockGivesItsMemoryBack() throws IOException {
        byte[] original = content(3 * BS, 6);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        ObjectId block0 = Hashing.hash(Arrays.copyOf(original, BS));
        ObjectId block1 = Hashing.hash(Arrays.copyOfRange(original, BS, 2 * BS));
        byte[] bad = remote.store.getBytes(key(block0)).clone();
        bad[3] ^= 1;
        remote.store.corrupt(key(block0), bad);
        remote.store.corrupt(key(block1), content(50 * BS, 7));
        BufferPool memory = new BufferPool(4 * BS, 4);
        ObjectReader objects = new ObjectReader(null, remote, new BlockCache(1 << 20, Runnable::run), memory);
        try (BlockReader reader = new BlockReader(objects, Runnable::run, 0, 0);
             ContentSource.OpenFile f = reader.open(entry)) {
            assertThrows(CorruptObjectException.class, () -> read(f, 0, 1), "content that does not match");
            assertThrows(CorruptObjectException.class, () -> read(f, BS, 1), "content longer than expected");
            assertEquals(0, memory.outstanding(), "the memory of both failed blocks is counted back");
            assertArrayEquals(expected(original, 2 * BS, BS), read(f, 2 * BS, BS));
        }
    }

    @Test
    void read_remoteLongerThanExpectedIsCorrupt() throws IOException {
        byte[] original = content(3 * BS, 4);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        ObjectId block0 = Hashing.hash(Arrays.copyOf(original, BS));
        remote.store.corrupt(key(block0), content(50 * BS, 5));
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0);
             ContentSource.OpenFile f = reader.open(entry)) {
            assertThrows(CorruptObjectException.class, () -> read(f, 0, 1));
            assertArrayEquals(expected(original, BS, BS), read(f, BS, BS));
        }
    }

    @Test
    void read_corruptLocalCopyFallsBackToRemote() throws IOException {
        byte[] original = content(BS / 2, 6);
        TreeEntry entry = storeFile(Where.LOCAL, "f", original);
        storeFile(Where.REMOTE, "f", original);
        Path file = local().pathOf(entry.id());
        byte[] bad = original.clone();
        bad[0] ^= 1;
        Files.write(file, bad);

        ObjectReader both = new ObjectReader(local(), remote, new BlockCache(1 << 20, Runnable::run));
        try (BlockReader reader = new BlockReader(both, Runnable::run, 4, Integer.MAX_VALUE);
             ContentSource.OpenFile f = reader.open(entry)) {
            assertArrayEquals(original, read(f, 0, BS));
            assertEquals(1, remote.gets());
            assertEquals(1, reader.stats().verificationFailures());
        }
        try (BlockReader localOnly = reader(Where.LOCAL, 1 << 20, 4);
             ContentSource.OpenFile f = localOnly.open(entry)) {
            assertThrows(CorruptObjectException.class, () -> read(f, 0, 1));
        }
    }

    @Test
    void read_missingEverywhereIsMissingObject() throws IOException {
        TreeEntry entry = TreeEntry.file("f", 10, false, Hashing.hash(new byte[10]), false);
        try (BlockReader reader = reader(Where.LOCAL, 1 << 20, 4);
             ContentSource.OpenFile f = reader.open(entry)) {
            assertThrows(MissingObjectException.class, () -> read(f, 0, 10));
        }
    }

    @Test
    void read_remoteOutageIsIOExceptionAndRecovers() throws IOException {
        byte[] original = content(3 * BS, 8);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0);
             ContentSource.OpenFile f = reader.open(entry)) {
            assertArrayEquals(expected(original, 0, BS), read(f, 0, BS));
            remote.failing(true);
            assertThrows(RemoteException.class, () -> read(f, BS, BS));
            assertArrayEquals(expected(original, 0, BS), read(f, 0, BS), "cached blocks still served");
            remote.failing(false);
            assertArrayEquals(expected(original, BS, 2 * BS), read(f, BS, 2 * BS));
            assertEquals(1, reader.stats().fetchErrors());
        }
    }

    @Test
    void read_concurrentReadersOfOneBlockShareOneGet() throws Exception {
        byte[] original = content(3 * BS, 9);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0);
             ContentSource.OpenFile f = reader.open(entry)) {
            long getsBefore = remote.gets();
            int arrivedBefore = remote.arrived.get();
            remote.close(new CountDownLatch(1));
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int off = BS + i * 100;
                results.add(pool.submit(() -> read(f, off, 100)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((remote.arrived.get() == arrivedBefore || reader.stats().cache().joins() < 7)
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            remote.open();
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(expected(original, BS + i * 100, 100), results.get(i).get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, remote.gets() - getsBefore);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readAhead_sequentialReadsPrefetchFollowingBlocks() throws IOException {
        byte[] original = content(20 * BS, 10);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 4);
             ContentSource.OpenFile f = reader.open(entry)) {
            long base = remote.gets();
            read(f, 0, 100);
            assertEquals(base + 1, remote.gets(), "first read: its block only");
            read(f, 100, 100);
            assertEquals(base + 2, remote.gets(), "second sequential read: block 1 ahead");
            for (int off = 200; off < BS; off += 100) {
                read(f, off, 100);
            }
            assertEquals(base + 2, remote.gets());
            read(f, BS, 100);
            assertEquals(base + 4, remote.gets(), "block 1 entered: window 2, blocks 2 and 3");
            for (int off = BS + 100; off < original.length; off += 250) {
                assertArrayEquals(expected(original, off, 250), read(f, off, 250));
            }
            assertEquals(base + 20, remote.gets(), "every block fetched once: read-ahead and demand share");
            assertEquals(19, reader.stats().cache().prefetches(), "all but the first block read ahead");
        }
    }

    @Test
    void readAhead_budgetBoundsBlocksHeldAheadAcrossFiles() throws IOException {
        byte[] one = content(12 * BS, 21);
        byte[] two = content(12 * BS, 22);
        TreeEntry a = storeFile(Where.REMOTE, "a", one);
        TreeEntry b = storeFile(Where.REMOTE, "b", two);
        ObjectReader objects = new ObjectReader(null, remote, new BlockCache(1 << 20, Runnable::run));
        try (BlockReader reader = new BlockReader(objects, Runnable::run, 8, 3 * BS)) {
            ContentSource.OpenFile fa = reader.open(a);
            ContentSource.OpenFile fb = reader.open(b);
            for (int off = 0; off < 2 * BS; off += 250) {
                assertArrayEquals(expected(one, off, 250), read(fa, off, 250));
            }
            assertTrue(reader.readAheadBudgetLeft() < 3 * BS, "the first reader spends the budget");
            long getsBefore = remote.gets();
            for (int off = 0; off < two.length; off += 250) {
                assertArrayEquals(expected(two, off, 250), read(fb, off, 250));
            }
            assertTrue(remote.gets() - getsBefore >= 12, "the second reader still gets every block");
            for (int off = 2 * BS; off < one.length; off += 250) {
                assertArrayEquals(expected(one, off, 250), read(fa, off, 250));
            }
            assertTrue(reader.readAheadBudgetLeft() >= 0);
            fa.close();
            fb.close();
            assertEquals(3 * BS, reader.readAheadBudgetLeft(), "closing the files gives the budget back");
        }
    }

    @Test
    void readAhead_randomReadsFetchOnlyWhatIsRead() throws IOException {
        byte[] original = content(40 * BS, 11);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        int[] blocks = {10, 2, 17, 5, 13, 0, 8, 30, 22, 37, 25};
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 16);
             ContentSource.OpenFile f = reader.open(entry)) {
            long base = remote.gets();
            for (int b : blocks) {
                long off = (long) b * BS + 500;
                assertArrayEquals(expected(original, off, 64), read(f, off, 64));
            }
            assertEquals(base + blocks.length, remote.gets());
            assertEquals(0, reader.stats().cache().prefetches());
        }
    }

    @Test
    void readAhead_seekResetsWindow() throws IOException {
        byte[] original = content(60 * BS, 12);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 8);
             ContentSource.OpenFile f = reader.open(entry)) {
            for (int off = 0; off < 6 * BS; off += 250) {
                read(f, off, 250);
            }
            long before = remote.gets();
            assertTrue(before >= 1 + 6 + 8, "window grew while sequential");
            read(f, 40L * BS, 250);
            assertEquals(before + 1, remote.gets(), "a seek fetches its block only");
            read(f, 40L * BS + 250, 250);
            assertEquals(before + 2, remote.gets(), "then one block ahead, not the old window");
        }
    }

    @Test
    void readAhead_onOwnPoolWithParallelReadersFetchesEachBlockOnce() throws Exception {
        List<byte[]> originals = IntStream.range(0, 4).mapToObj(i -> content(64 * BS + i, 100 + i)).toList();
        List<TreeEntry> entries = storeRemoteFiles(originals);
        ObjectReader objects = new ObjectReader(null, remote, new BlockCache(1 << 20));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (BlockReader reader = new BlockReader(objects, 8, 8, 8 * BS)) {
            long base = remote.gets();
            List<Future<byte[]>> results = new ArrayList<>();
            for (TreeEntry entry : entries) {
                results.add(pool.submit(() -> {
                    try (ContentSource.OpenFile f = reader.open(entry)) {
                        byte[] out = new byte[(int) entry.size()];
                        for (int off = 0; off < out.length; off += 128) {
                            f.read(off, ByteBuffer.wrap(out, off, Math.min(128, out.length - off)));
                        }
                        return out;
                    }
                }));
            }
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(originals.get(i), results.get(i).get(30, TimeUnit.SECONDS));
            }
            long blocks = 64 + 3 * 65;
            assertEquals(base + 4 + blocks, remote.gets(), "indexes and blocks, each fetched once");
            assertTrue(reader.stats().cache().prefetches() > 0);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void read_parallelRandomReadersWithReusedMemoryGetTheRightBytes() throws Exception {
        List<byte[]> originals = IntStream.range(0, 3).mapToObj(i -> content(40 * BS + i, 200 + i)).toList();
        List<TreeEntry> entries = storeRemoteFiles(originals);
        // A cache of a few blocks, so blocks are evicted and their memory reused all the time.
        BufferPool memory = new BufferPool(BS, 4);
        ObjectReader objects = new ObjectReader(null, remote, new BlockCache(6 * (BS + 128)), memory);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (BlockReader reader = new BlockReader(objects, 4, 4, 6 * BS)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int checked = 0;
                    for (int r = 0; r < 300; r++) {
                        int which = random.nextInt(3);
                        byte[] original = originals.get(which);
                        try (ContentSource.OpenFile f = reader.open(entries.get(which))) {
                            // a sequential run (read-ahead) from a random start, then a random read
                            long start = random.nextInt(original.length);
                            for (long off = start; off < Math.min(original.length, start + 5 * BS); off += 333) {
                                assertArrayEquals(expected(original, off, 333), read(f, off, 333));
                                checked++;
                            }
                            long off = random.nextInt(original.length);
                            assertArrayEquals(expected(original, off, 1500), read(f, off, 1500));
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> r : results) {
                assertTrue(r.get(60, TimeUnit.SECONDS) > 0);
            }
            assertTrue(memory.reuses() > 100, "block memory reused " + memory.reuses() + " times");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void read_openFilesLetGoOfTheirBlocksWhenMemoryRunsShort() throws Exception {
        List<byte[]> originals = IntStream.range(0, 8).mapToObj(i -> content(3 * BS, 300 + i)).toList();
        List<TreeEntry> entries = storeRemoteFiles(originals);
        // Memory for three blocks: eight open files each holding the block it read last would need
        // eight. Without letting go, the fourth read would wait for memory no reader gives back.
        ObjectReader objects = new ObjectReader(null, remote, new BlockCache(BS + 128, Runnable::run), 3L * BS);
        try (BlockReader reader = new BlockReader(objects, Runnable::run, 0, 0)) {
            List<ContentSource.OpenFile> files = new ArrayList<>();
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    for (int pass = 0; pass < 2; pass++) {
                        for (int i = 0; i < 8; i++) {
                            if (pass == 0) {
                                files.add(reader.open(entries.get(i)));
                            }
                            long off = pass * BS + 10L * i;
                            assertArrayEquals(expected(originals.get(i), off, 100), read(files.get(i), off, 100));
                        }
                    }
                });
            } finally {
                for (ContentSource.OpenFile f : files) {
                    f.close();
                }
            }
        }
    }

    @Test
    void read_cacheStaysWithinByteBound() throws IOException {
        byte[] original = content(50 * BS, 13);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        long bound = 10 * (BS + 128);
        try (BlockReader reader = reader(Where.REMOTE, bound, 16);
             ContentSource.OpenFile f = reader.open(entry)) {
            for (int pass = 0; pass < 2; pass++) {
                for (int off = 0; off < original.length; off += 300) {
                    assertArrayEquals(expected(original, off, 300), read(f, off, 300));
                    BlockCache.Stats s = reader.stats().cache();
                    assertTrue(s.sizeBytes() <= bound, "cache holds " + s.sizeBytes() + " > " + bound);
                }
            }
            assertTrue(reader.stats().cache().evictions() > 0);
        }
    }

    @Test
    void readAhead_fileLargerThanCacheFetchesEachBlockOnce() throws IOException {
        byte[] original = content(200 * BS, 17);
        TreeEntry entry = storeFile(Where.REMOTE, "f", original);
        long bound = 40 * (BS + 128);
        try (BlockReader reader = reader(Where.REMOTE, bound, 16);
             ContentSource.OpenFile f = reader.open(entry)) {
            long base = remote.gets();
            for (int off = 0; off < original.length; off += 128) {
                assertArrayEquals(expected(original, off, 128), read(f, off, 128));
            }
            assertEquals(base + 200, remote.gets(), "a streamed block is not evicted before it is read");
        }
    }

    @Test
    void tree_decodedOnceAndCached() throws IOException {
        TreeEntry a = storeFile(Where.REMOTE, "a", content(10, 14));
        Tree tree = Tree.of(List.of(a, TreeEntry.symlink("b", "a")));
        ObjectId id = put(Where.REMOTE, tree.encode());
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 4)) {
            long base = remote.gets();
            assertEquals(tree, reader.tree(id));
            assertEquals(tree, reader.tree(id));
            assertEquals(base + 1, remote.gets());
        }
    }

    @Test
    void tree_corruptIsRefused() throws IOException {
        Tree tree = Tree.of(List.of(TreeEntry.symlink("b", "a")));
        byte[] bytes = tree.encode();
        ObjectId id = Hashing.hash(bytes);
        remote.store.corrupt(key(id), Tree.of(List.of(TreeEntry.symlink("c", "a"))).encode());
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 4)) {
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> reader.tree(id));
            assertEquals(id, e.id());
            remote.store.corrupt(key(id), bytes);
            assertEquals(tree, reader.tree(id), "the failure was not cached");
        }
    }

    @Test
    void open_blockIndexFetchedOnce() throws IOException {
        TreeEntry entry = storeFile(Where.REMOTE, "f", content(5 * BS, 15));
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0)) {
            long base = remote.gets();
            reader.open(entry).close();
            reader.open(entry).close();
            assertEquals(base + 1, remote.gets());
        }
    }

    @Test
    void open_indexSizeDisagreeingWithEntryIsCorrupt() throws IOException {
        TreeEntry entry = storeFile(Where.REMOTE, "f", content(5 * BS, 16));
        TreeEntry lying = TreeEntry.file("f", 5 * BS + 1, false, entry.id(), true);
        try (BlockReader reader = reader(Where.REMOTE, 1 << 20, 0)) {
            assertThrows(CorruptObjectException.class, () -> reader.open(lying));
        }
    }
}
