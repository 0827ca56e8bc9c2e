package verso.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cache.Block;
import verso.cache.BlockCache;
import verso.cache.DiskCache;
import verso.remote.InMemoryRemote;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.PackLocator;

/** Packed objects read through the reader's windows: one GET for neighbours, each object verified. */
final class ObjectReaderPackTest {
    private final InMemoryRemote remote = new InMemoryRemote();
    private final List<ObjectId> ids = new ArrayList<>();
    private final List<byte[]> contents = new ArrayList<>();
    private final PackLocator packs = new PackLocator();
    private ObjectId pack;
    private byte[] packBytes;

    /** A pack of {@code count} objects of {@code size} bytes each. */
    private void pack(int count, int size) throws IOException {
        Random random = new Random(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = new byte[size];
            random.nextBytes(b);
            contents.add(b);
            ids.add(Hashing.hash(b));
            sizes.add((long) size);
            out.write(b);
        }
        packBytes = out.toByteArray();
        pack = Hashing.hash(packBytes);
        remote.put(Layout.packKey(pack), packBytes);
        PackIndex index = PackIndex.of(pack, ids, sizes);
        ids.forEach(id -> packs.add(id, index));
    }

    private ObjectReader reader() {
        return new ObjectReader(null, remote, packs, new BlockCache(64 << 20, Runnable::run), 64L << 20);
    }

    private static byte[] read(ObjectReader r, ObjectId id, int size) throws IOException {
        Block b = r.read(id, size);
        try {
            byte[] out = new byte[b.bytes().remaining()];
            b.bytes().duplicate().get(out);
            return out;
        } finally {
            b.release();
        }
    }

    @Test
    void read_neighboursComeFromOneWindow() throws IOException {
        pack(100, 5000);
        ObjectReader r = reader();
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), read(r, ids.get(i), 5000));
        }
        assertEquals(1, remote.gets.get());
    }

    @Test
    void read_windowsFollowEachOther() throws IOException {
        int size = 300_000; // 6 objects per window
        pack(40, size);
        ObjectReader r = reader();
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), read(r, ids.get(i), size));
        }
        assertEquals((ids.size() + 5) / 6, remote.gets.get());
    }

    @Test
    void read_corruptObjectInWindowFailsAloneAndIsFetchedAgain() throws IOException {
        pack(10, 5000);
        byte[] bad = packBytes.clone();
        bad[3 * 5000 + 17] ^= 1;
        remote.corrupt(Layout.packKey(pack), bad);
        ObjectReader r = reader();
        assertArrayEquals(contents.get(0), read(r, ids.get(0), 5000));
        assertArrayEquals(contents.get(1), read(r, ids.get(1), 5000));
        assertArrayEquals(contents.get(2), read(r, ids.get(2), 5000));
        assertThrows(CorruptObjectException.class, () -> read(r, ids.get(3), 5000));
        long gets = remote.gets.get();
        remote.corrupt(Layout.packKey(pack), packBytes); // repaired: the spoiled window was not kept
        assertArrayEquals(contents.get(3), read(r, ids.get(3), 5000));
        assertEquals(gets + 1, remote.gets.get());
        for (int i = 4; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), read(r, ids.get(i), 5000));
        }
    }

    @Test
    void cacheOnDisk_packedObjectsFromOneWindow(@TempDir Path dir) throws IOException {
        pack(50, 5000);
        ObjectReader r = new ObjectReader(null, remote, packs, DiskCache.open(dir, 1 << 30),
                new BlockCache(1 << 20, Runnable::run), 64L << 20);
        for (ObjectId id : ids) {
            assertTrue(r.cacheOnDisk(id, 5000));
        }
        assertEquals(1, remote.gets.get());
        remote.delete(Layout.packKey(pack)); // now only the disk cache has them
        for (int i = 0; i < ids.size(); i++) {
            assertArrayEquals(contents.get(i), read(r, ids.get(i), 5000));
        }
    }

    @Test
    void read_shortAnswerIsCorruptNotWrong() throws IOException {
        pack(10, 5000);
        remote.corrupt(Layout.packKey(pack), java.util.Arrays.copyOf(packBytes, 4 * 5000 + 100));
        ObjectReader r = reader();
        assertArrayEquals(contents.get(3), read(r, ids.get(3), 5000));
        assertThrows(CorruptObjectException.class, () -> read(r, ids.get(4), 5000));
    }
}
