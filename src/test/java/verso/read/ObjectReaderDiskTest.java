package verso.read;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.cache.Block;
import verso.cache.BlockCache;
import verso.cache.BufferPool;
import verso.cache.DiskCache;
import verso.remote.FaultyRemote;
import verso.remote.InMemoryRemote;
import verso.store.CorruptObjectException;
import verso.store.Decoder;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;

final class ObjectReaderDiskTest {
    private static final int SIZE = 100_000;

    @TempDir
    Path dir;

    private final InMemoryRemote remote = new InMemoryRemote();

    private ObjectId store(int seed) {
        byte[] b = bytes(seed);
        ObjectId id = Hashing.hash(b);
        remote.put(Layout.objectKey(id), b);
        return id;
    }

    private static byte[] bytes(int seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A reader as a new daemon makes it: its own memory cache and its own view of the disk cache. */
    private ObjectReader reader(FaultyRemote through) throws IOException {
        return new ObjectReader(null, through, DiskCache.open(dir, 1 << 30), new BlockCache(1 << 20, Runnable::run),
                1L << 30);
    }

    private static byte[] read(ObjectReader r, ObjectId id) throws IOException {
        Block b = r.read(id, SIZE);
        try {
            byte[] out = new byte[b.bytes().remaining()];
            b.bytes().duplicate().get(out);
            return out;
        } finally {
            b.release();
        }
    }

    private Path entry(ObjectId id) {
        return dir.resolve("objects").resolve(id.fanoutPath());
    }

    @Test
    void read_afterARestart_comesFromDiskWithoutTheRemote() throws IOException {
        ObjectId id = store(1);
        ObjectReader first = reader(new FaultyRemote(remote));
        assertArrayEquals(bytes(1), read(first, id));
        assertEquals(1, first.stats().remoteGets());

        FaultyRemote down = new FaultyRemote(remote).failNext(Integer.MAX_VALUE, () -> new IOException("S3 is down"));
        ObjectReader second = reader(down);
        assertArrayEquals(bytes(1), read(second, id));
        assertArrayEquals(bytes(1), second.load(id), "trees and indexes come from disk too");
        assertEquals(0, second.stats().remoteGets());
        assertEquals(2, second.stats().diskReads());
        assertEquals(0, down.calls());
    }

    @Test
    void read_ofADamagedEntry_fetchesItAgainAndRepairsIt() throws IOException {
        ObjectId id = store(1);
        read(reader(new FaultyRemote(remote)), id);
        flipAByte(entry(id));

        ObjectReader r = reader(new FaultyRemote(remote));
        assertArrayEquals(bytes(1), read(r, id));
        assertEquals(1, r.stats().verificationFailures());
        assertEquals(1, r.stats().remoteGets());
        assertArrayEquals(bytes(1), Files.readAllBytes(entry(id)), "the entry is written anew");
    }

    @Test
    void read_ofADamagedEntryWithTheRemoteDown_failsAndNeverServesIt() throws IOException {
        ObjectId id = store(1);
        read(reader(new FaultyRemote(remote)), id);
        flipAByte(entry(id));

        ObjectReader r = reader(new FaultyRemote(remote).failNext(Integer.MAX_VALUE, () -> new IOException("S3 is down")));
        IOException e = assertThrows(IOException.class, () -> read(r, id));
        assertTrue(e.getMessage().contains("S3 is down"), e.getMessage());
        assertTrue(Files.notExists(entry(id)), "the damaged entry is dropped");
    }

    @Test
    void read_ofAnEntryOfTheWrongSize_isNotServed() throws IOException {
        ObjectId id = store(1);
        read(reader(new FaultyRemote(remote)), id);
        Files.write(entry(id), new byte[10]);
        remote.delete(Layout.objectKey(id));
        assertThrows(IOException.class, () -> read(reader(new FaultyRemote(remote)), id));
    }

    /** A tree of {@code n} files, stored on the remote; returns its id. */
    private ObjectId storeTree(int n) {
        List<TreeEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(TreeEntry.file(String.format("f%05d", i), i, false, Hashing.hash(new byte[] {(byte) i}), false));
        }
        byte[] b = new Tree(entries).encode();
        ObjectId id = Hashing.hash(b);
        remote.put(Layout.objectKey(id), b);
        return id;
    }

    private static Decoder<Tree> tree(ObjectId id) {
        return in -> Tree.decode(id, in);
    }

    @Test
    void loadDecoded_fromTheRemote_isKeptOnDiskAndReadFromThereAfterARestart() throws IOException {
        ObjectId id = storeTree(2000);
        Tree expected = Tree.decode(id, remote.getBytes(Layout.objectKey(id)));
        ObjectReader first = reader(new FaultyRemote(remote));
        assertEquals(expected, first.load(id, tree(id)));
        assertTrue(Files.exists(entry(id)), "the tree went to the disk cache");

        FaultyRemote down = new FaultyRemote(remote).failNext(Integer.MAX_VALUE, () -> new IOException("S3 is down"));
        ObjectReader second = reader(down);
        assertEquals(expected, second.load(id, tree(id)));
        assertEquals(0, down.calls());
    }

    @Test
    void loadDecoded_ofContentThatDoesNotMatch_failsAsCorruptAndKeepsNothing() throws IOException {
        ObjectId id = storeTree(100);
        ObjectReader r = reader(new FaultyRemote(remote).corruptNextGets(1));
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> r.load(id, tree(id)));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(Files.exists(entry(id)));
        assertEquals(100, r.load(id, tree(id)).entries().size(), "the next try fetches it");
    }

    @Test
    void loadDecoded_ofADamagedDiskEntry_fetchesItAgain() throws IOException {
        ObjectId id = storeTree(100);
        reader(new FaultyRemote(remote)).load(id, tree(id));
        flipAByte(entry(id));
        ObjectReader r = reader(new FaultyRemote(remote));
        assertEquals(100, r.load(id, tree(id)).entries().size());
        assertEquals(1, r.stats().verificationFailures());
    }

    @Test
    void loadDecoded_withoutADiskCache_decodesTheRemoteStreamVerified() throws IOException {
        ObjectId id = storeTree(100);
        ObjectReader r = new ObjectReader(null, new FaultyRemote(remote).corruptNextGets(1),
                new BlockCache(1 << 20, Runnable::run));
        assertThrows(CorruptObjectException.class, () -> r.load(id, tree(id)));
        assertEquals(100, r.load(id, tree(id)).entries().size());
        assertEquals(2, r.stats().remoteGets());
    }

    @Test
    void cacheOnDisk_storesTheObjectVerifiedAndReadsItBackWithoutTheRemote() throws IOException {
        ObjectId id = store(1);
        ObjectReader r = reader(new FaultyRemote(remote));
        assertTrue(r.cacheOnDisk(id, SIZE));
        assertFalse(r.cacheOnDisk(id, SIZE), "already on disk");
        assertArrayEquals(bytes(1), Files.readAllBytes(entry(id)));
        assertEquals(1, r.stats().remoteGets());
        assertEquals(SIZE, r.disk().usage());

        FaultyRemote down = new FaultyRemote(remote).failNext(Integer.MAX_VALUE, () -> new IOException("S3 is down"));
        assertArrayEquals(bytes(1), read(reader(down), id));
        assertEquals(0, down.calls());
    }

    @Test
    void cacheOnDisk_takesNoBlockMemory() throws IOException {
        ObjectId id = store(1);
        BufferPool memory = new BufferPool(SIZE, 4);
        ObjectReader r = new ObjectReader(null, new FaultyRemote(remote), DiskCache.open(dir, 1 << 30),
                new BlockCache(1 << 20, Runnable::run), memory);
        assertTrue(r.cacheOnDisk(id, SIZE));
        assertEquals(0, memory.outstanding(), "the object went from the remote to the file, not through a block");
        assertEquals(0, memory.idle());
    }

    @Test
    void cacheOnDisk_ofContentThatDoesNotMatch_storesNothing() throws IOException {
        ObjectId id = store(1);
        ObjectReader r = reader(new FaultyRemote(remote).corruptNextGets(1));
        assertThrows(CorruptObjectException.class, () -> r.cacheOnDisk(id, SIZE));
        assertNoEntry(r, id);
        assertEquals(1, r.stats().verificationFailures());
    }

    @Test
    void cacheOnDisk_ofAStreamBrokenMidway_storesNothing() throws IOException {
        ObjectId id = store(1);
        ObjectReader r = reader(new FaultyRemote(remote).breakNextStreams(1, SIZE / 2));
        assertThrows(IOException.class, () -> r.cacheOnDisk(id, SIZE));
        assertNoEntry(r, id);
        assertTrue(r.disk().writable(), "a broken download is not the disk cache's failure");
        assertTrue(r.cacheOnDisk(id, SIZE), "the next try fetches it");
    }

    @Test
    void cacheOnDisk_ofContentShorterOrLongerThanExpected_storesNothing() throws IOException {
        byte[] b = bytes(1);
        ObjectId id = Hashing.hash(b);
        remote.put(Layout.objectKey(id), java.util.Arrays.copyOf(b, SIZE - 1));
        ObjectReader shorter = reader(new FaultyRemote(remote));
        assertThrows(CorruptObjectException.class, () -> shorter.cacheOnDisk(id, SIZE));
        assertNoEntry(shorter, id);

        remote.put(Layout.objectKey(id), java.util.Arrays.copyOf(b, SIZE + 1));
        ObjectReader longer = reader(new FaultyRemote(remote));
        assertThrows(CorruptObjectException.class, () -> longer.cacheOnDisk(id, SIZE));
        assertNoEntry(longer, id);
    }

    private void assertNoEntry(ObjectReader r, ObjectId id) throws IOException {
        assertTrue(Files.notExists(entry(id)));
        assertEquals(0, r.disk().usage());
        try (java.util.stream.Stream<Path> s = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, s.count(), "no temp file left");
        }
    }

    private static void flipAByte(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        b[b.length / 2] ^= 1;
        Files.write(p, b);
    }
}
