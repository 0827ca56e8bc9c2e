package verso.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.ObjectId;

final class DiskCacheTest {
    private static final int SIZE = 1000;

    @TempDir
    Path dir;

    /** A clock the test moves: recency is kept to the minute. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance() {
            now = now.plus(Duration.ofMinutes(2));
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();

    private static byte[] bytes(int seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ObjectId put(DiskCache c, byte[] b) {
        ObjectId id = Hashing.hash(b);
        c.put(id, ByteBuffer.wrap(b));
        return id;
    }

    private static byte[] read(DiskCache c, ObjectId id) throws IOException {
        try (FileChannel ch = c.open(id)) {
            if (ch == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read it all
            }
            return b.array();
        }
    }

    private long filesUnder(String sub) throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve(sub))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void put_entryIsReadBackWholeAndNoTempFileStays() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        byte[] b = bytes(1);
        ObjectId id = put(c, b);
        assertArrayEquals(b, read(c, id));
        assertTrue(Files.isRegularFile(dir.resolve("objects").resolve(id.fanoutPath())), "fanned out as the store");
        assertEquals(0, filesUnder("tmp"));
        assertEquals(SIZE, c.usage());
        assertTrue(c.trusted(id), "bytes it wrote were verified by the writer");
        assertNull(read(c, Hashing.hash(bytes(2))));
    }

    @Test
    void put_sameEntryTwice_isCountedOnce() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        byte[] b = bytes(1);
        put(c, b);
        put(c, b);
        assertEquals(SIZE, c.usage());
    }

    @Test
    void put_overTheBound_evictsTheLeastRecentlyUsed() throws IOException {
        DiskCache c = DiskCache.open(dir, 3 * SIZE + 100, clock);
        ObjectId a = put(c, bytes(1));
        clock.advance();
        ObjectId b = put(c, bytes(2));
        clock.advance();
        ObjectId x = put(c, bytes(3));
        clock.advance();
        assertNotNull(read(c, a), "a is used again, so b is now the oldest");
        clock.advance();
        ObjectId d = put(c, bytes(4));
        assertNull(read(c, b));
        assertNotNull(read(c, a));
        assertNotNull(read(c, x));
        assertNotNull(read(c, d));
        assertEquals(3 * SIZE, c.usage());
        assertEquals(1, c.stats().evictions());
    }

    @Test
    void twoCachesOnOneDirectory_holdOneBoundBetweenThem() throws IOException {
        DiskCache one = DiskCache.open(dir, 4 * SIZE, clock);
        DiskCache two = DiskCache.open(dir, 4 * SIZE, clock);
        for (int i = 0; i < 20; i++) {
            put(i % 2 == 0 ? one : two, bytes(i));
            clock.advance();
            assertTrue(one.usage() <= 4 * SIZE, "usage " + one.usage());
            assertTrue(filesUnder("objects") * SIZE <= 4 * SIZE, filesUnder("objects") + " entries");
        }
        assertEquals(filesUnder("objects") * SIZE, two.usage(), "the count matches the files");
        assertArrayEquals(bytes(19), read(one, Hashing.hash(bytes(19))), "one reads what two wrote");
    }

    @Test
    void open_recountsWhatIsOnDisk() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        put(c, bytes(1));
        put(c, bytes(2));
        Files.write(dir.resolve("usage"), new byte[8]); // a process died between a move and its count
        Files.writeString(dir.resolve("tmp").resolve("left-by-a-dead-writer.tmp"), "x");
        Files.setLastModifiedTime(dir.resolve("tmp").resolve("left-by-a-dead-writer.tmp"),
                java.nio.file.attribute.FileTime.from(clock.instant().minus(Duration.ofDays(1))));
        DiskCache again = DiskCache.open(dir, 1 << 20, clock);
        assertEquals(2 * SIZE, again.usage());
        assertFalse(again.trusted(Hashing.hash(bytes(1))), "entries from before are checked on first read");
        assertEquals(0, filesUnder("tmp"));
    }

    @Test
    void remove_deletesTheEntryAndItsCount() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        ObjectId id = put(c, bytes(1));
        c.remove(id);
        assertNull(read(c, id));
        assertFalse(c.trusted(id));
        assertEquals(0, c.usage());
    }

    @Test
    void put_whenEntriesCannotBeWritten_stopsWritingAndStillReads() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        ObjectId kept = put(c, bytes(1));
        Files.delete(dir.resolve("tmp"));
        Files.writeString(dir.resolve("tmp"), "not a directory"); // as a full or read-only disk: writes fail
        ObjectId lost = put(c, bytes(2));
        assertFalse(c.writable());
        assertNull(read(c, lost));
        assertArrayEquals(bytes(1), read(c, kept));
    }

    @Test
    void put_anEntryOfMoreThanHalfTheBound_isNotKept() throws IOException {
        DiskCache c = DiskCache.open(dir, SIZE, clock);
        ObjectId id = put(c, bytes(1));
        assertNull(read(c, id));
        assertEquals(0, c.usage());
    }
    @Test
    void putStreamed_entryIsReadBackWholeAndCounted() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        byte[] b = bytes(1);
        ObjectId id = Hashing.hash(b);
        assertTrue(c.put(id, SIZE, out -> {
            out.write(ByteBuffer.wrap(b, 0, 10));
            out.write(ByteBuffer.wrap(b, 10, SIZE - 10));
        }));
        assertArrayEquals(b, read(c, id));
        assertTrue(c.trusted(id));
        assertEquals(SIZE, c.usage());
        assertEquals(0, filesUnder("tmp"));
    }

    @Test
    void putStreamed_whenTheContentFails_storesNothingAndStaysWritable() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        byte[] b = bytes(1);
        ObjectId id = Hashing.hash(b);
        IOException e = assertThrows(IOException.class, () -> c.put(id, SIZE, out -> {
            out.write(ByteBuffer.wrap(b, 0, 100));
            throw new IOException("connection reset");
        }));
        assertEquals("connection reset", e.getMessage());
        assertNull(read(c, id));
        assertEquals(0, c.usage());
        assertEquals(0, filesUnder("tmp"));
        assertTrue(c.writable(), "the source's failure is not the cache's");
    }

    @Test
    void putStreamed_ofContentOfAnotherSize_storesNothing() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        byte[] b = bytes(1);
        ObjectId id = Hashing.hash(b);
        assertThrows(CorruptObjectException.class, () -> c.put(id, SIZE, out -> out.write(ByteBuffer.wrap(b, 0, 10))));
        assertNull(read(c, id));
        assertEquals(0, c.usage());
        assertEquals(0, filesUnder("tmp"));
    }

    @Test
    void putStreamed_whenEntriesCannotBeWritten_returnsFalseWithoutAskingForContent() throws IOException {
        DiskCache c = DiskCache.open(dir, 1 << 20, clock);
        Files.delete(dir.resolve("tmp"));
        Files.writeString(dir.resolve("tmp"), "not a directory");
        boolean[] asked = {false};
        assertFalse(c.put(Hashing.hash(bytes(1)), SIZE, out -> asked[0] = true));
        assertFalse(asked[0]);
        assertFalse(c.writable());
    }
}
