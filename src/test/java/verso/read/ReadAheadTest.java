package verso.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ReadAheadTest {
    private static final int BLOCK = 4 << 20;
    private static final int READ = 128 << 10;

    private final List<Integer> requested = new ArrayList<>();

    private ReadAhead readAhead(long fileSize, int maxWindow) {
        return new ReadAhead(BLOCK, fileSize, maxWindow, requested::add);
    }

    /** Reads [from, to) in kernel-sized requests. */
    private static void readRange(ReadAhead ra, long from, long to) {
        for (long off = from; off < to; off += READ) {
            ra.onRead(off, (int) Math.min(READ, to - off));
        }
    }

    @Test
    void onRead_sequentialStartsSmallAndDoubles() {
        ReadAhead ra = readAhead(64L * BLOCK, 16);
        ra.onRead(0, READ);
        assertEquals(List.of(), requested, "one read is not yet a sequential run");
        ra.onRead(READ, READ);
        assertEquals(List.of(1), requested);
        readRange(ra, 2 * READ, BLOCK);
        assertEquals(List.of(1), requested, "nothing more while inside block 0");
        ra.onRead(BLOCK, READ);
        assertEquals(List.of(1, 2, 3), requested);
        ra.onRead(2L * BLOCK, READ);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), requested);
        assertEquals(4, ra.window());
    }

    @Test
    void onRead_windowStopsAtMaxAndEachBlockIsRequestedOnce() {
        ReadAhead ra = readAhead(40L * BLOCK, 8);
        readRange(ra, 0, 40L * BLOCK);
        assertEquals(8, ra.window());
        List<Integer> expected = new ArrayList<>();
        for (int b = 1; b < 40; b++) {
            expected.add(b);
        }
        assertEquals(expected, requested, "every later block once, in order, none past the end");
    }

    @Test
    void onRead_smallReorderingStaysSequential() {
        ReadAhead ra = readAhead(64L * BLOCK, 16);
        readRange(ra, 0, 2L * BLOCK);
        int window = ra.window();
        int before = requested.size();
        // The kernel's threads deliver requests slightly out of order.
        ra.onRead(2L * BLOCK + 2 * READ, READ);
        ra.onRead(2L * BLOCK, READ);
        ra.onRead(2L * BLOCK + READ, READ);
        ra.onRead(2L * BLOCK + 4 * READ, READ);
        ra.onRead(2L * BLOCK + 3 * READ, READ);
        assertEquals(window * 2, ra.window(), "entered block 2: doubled, not reset");
        assertEquals(before + window + 1, requested.size());
    }

    @Test
    void onRead_seekResetsWindow() {
        ReadAhead ra = readAhead(200L * BLOCK, 16);
        readRange(ra, 0, 6L * BLOCK);
        assertEquals(16, ra.window());
        requested.clear();
        long far = 100L * BLOCK;
        ra.onRead(far, READ);
        assertEquals(1, ra.window());
        assertEquals(List.of(), requested, "a seek fetches nothing ahead");
        ra.onRead(far + READ, READ);
        assertEquals(List.of(101), requested, "a new run starts with one block");
        ra.onRead(101L * BLOCK, READ);
        assertEquals(List.of(101, 102, 103), requested);
    }

    @Test
    void onRead_backwardSeekResetsToo() {
        ReadAhead ra = readAhead(64L * BLOCK, 16);
        readRange(ra, 0, 8L * BLOCK);
        requested.clear();
        ra.onRead(3L * BLOCK, READ);
        assertEquals(1, ra.window());
        assertEquals(List.of(), requested);
    }

    @Test
    void onRead_randomReadsFetchNothing() {
        ReadAhead ra = readAhead(1000L * BLOCK, 16);
        java.util.Random random = new java.util.Random(42);
        long last = 0;
        for (int i = 0; i < 500; i++) {
            long off;
            do {
                off = (long) (random.nextDouble() * 1000 * BLOCK) & ~4095L;
            } while (Math.abs(off - last) < 2L * BLOCK);
            ra.onRead(off, 4096);
            last = off;
        }
        assertEquals(List.of(), requested);
    }

    @Test
    void onRead_nothingPastTheLastBlock() {
        ReadAhead ra = readAhead(3L * BLOCK + 10, 16);
        readRange(ra, 0, 3L * BLOCK + 10);
        assertEquals(List.of(1, 2, 3), requested);
    }

    @Test
    void constructor_rejectsInvalidParameters() {
        assertThrows(IllegalArgumentException.class, () -> new ReadAhead(0, 10, 1, b -> { }));
        assertThrows(IllegalArgumentException.class, () -> new ReadAhead(BLOCK, 10, 0, b -> { }));
    }
}
