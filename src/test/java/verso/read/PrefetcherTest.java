package verso.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cache.BlockCache;
import verso.cache.DiskCache;
import verso.remote.InMemoryRemote;
import verso.store.BlockIndex;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

final class PrefetcherTest {
    private static final int BS = 1 << 16;

    @TempDir
    Path dir;

    private final InMemoryRemote remote = new InMemoryRemote();

    private ObjectId put(byte[] b) {
        ObjectId id = Hashing.hash(b);
        remote.put(Layout.objectKey(id), b);
        return id;
    }

    private static byte[] random(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A version tracking data/ with a small file and a file of three blocks. */
    private Version version() {
        byte[] big = random(2 * BS + 100, 1);
        List<ObjectId> blocks = new ArrayList<>();
        for (int off = 0; off < big.length; off += BS) {
            blocks.add(put(Arrays.copyOfRange(big, off, Math.min(big.length, off + BS))));
        }
        ObjectId index = put(new BlockIndex(BS, big.length, blocks).encode());
        ObjectId small = put("small\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Tree t = Tree.of(List.of(TreeEntry.file("big.bin", big.length, false, index, true),
                TreeEntry.file("small.txt", 6, false, small, false)));
        ObjectId tree = put(t.encode());
        return Version.of(null, Instant.parse("2026-01-01T00:00:00Z"), "data",
                List.of(TreeEntry.dir("data", big.length + 6, 2, tree)));
    }

    private ObjectReader objects(DiskCache disk) {
        return new ObjectReader(null, remote, disk, new BlockCache(1 << 20, Runnable::run), 1L << 30);
    }

    @Test
    void run_putsEveryBlockOnDisk_andSkipsThemTheSecondTime() throws Exception {
        Version v = version();
        DiskCache disk = DiskCache.open(dir, 1 << 30);
        Prefetcher p = new Prefetcher(objects(disk), 4);
        Prefetcher.Plan plan = p.plan(List.of("data"), v.paths());
        assertEquals(4, plan.objects());
        Prefetcher.Result r = p.run(plan, n -> { });
        assertTrue(r.failures().isEmpty(), r.failures().toString());
        assertEquals(2 * BS + 106, r.fetchedBytes());

        long gets = remote.gets.get();
        Prefetcher again = new Prefetcher(objects(DiskCache.open(dir, 1 << 30)), 4);
        Prefetcher.Result second = again.run(again.plan(List.of("data"), v.paths()), n -> { });
        assertEquals(0, second.fetchedBytes());
        assertEquals(2 * BS + 106, second.presentBytes());
        assertEquals(gets, remote.gets.get(), "trees, indexes and blocks all came from disk");
    }

    @Test
    void run_withAMissingObject_namesItsPathAndFetchesTheRest() throws Exception {
        Version v = version();
        remote.delete(Layout.objectKey(Hashing.hash("small\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        Prefetcher p = new Prefetcher(objects(DiskCache.open(dir, 1 << 30)), 2);
        Prefetcher.Result r = p.run(p.plan(List.of("data"), v.paths()), n -> { });
        assertEquals(1, r.failures().size());
        assertEquals("data/small.txt", r.failures().get(0).path());
        assertEquals(2 * BS + 100, r.fetchedBytes());
    }

    @Test
    void find_aPathInsideATrackedDirectory() throws Exception {
        Version v = version();
        Prefetcher p = new Prefetcher(objects(DiskCache.open(dir, 1 << 30)), 1);
        assertEquals("small.txt", p.find(v, "data/small.txt").name());
        assertEquals("data", p.find(v, "data/").name());
        assertNull(p.find(v, "data/nope"));
        assertNull(p.find(v, "other"));
    }
}
