package verso.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import verso.read.ContentSource;

final class SharedFilesTest {
    private final AtomicInteger opened = new AtomicInteger();

    private final class Counted implements ContentSource.OpenFile {
        boolean closed;

        Counted() {
            opened.incrementAndGet();
        }

        @Override
        public int read(long offset, int length, ContentSource.Ranges out) {
            return 0;
        }

        @Override
        public void close() {
            assertFalse(closed, "closed twice");
            closed = true;
        }
    }

    @Test
    void acquire_samePath_sharesOneOpenFile() throws Exception {
        SharedFiles files = new SharedFiles(4);
        SharedFiles.Held a = files.acquire("/a", 10, Counted::new);
        SharedFiles.Held b = files.acquire("/a", 10, Counted::new);
        assertSame(a, b);
        files.release(a);
        files.release(b);
        assertSame(a, files.acquire("/a", 10, Counted::new));
        assertEquals(1, opened.get());
        assertFalse(((Counted) a.file()).closed);
    }

    @Test
    void acquire_pastBound_closesTheLeastRecentlyReadFile() throws Exception {
        SharedFiles files = new SharedFiles(2);
        SharedFiles.Held a = files.acquire("/a", 10, Counted::new);
        files.release(a);
        SharedFiles.Held b = files.acquire("/b", 10, Counted::new);
        files.release(b);
        files.release(files.acquire("/a", 10, Counted::new)); // /a read again: /b is now the oldest
        files.release(files.acquire("/c", 10, Counted::new));
        assertTrue(((Counted) b.file()).closed);
        assertFalse(((Counted) a.file()).closed);
        assertEquals(2, files.size());
        assertEquals(3, files.opened());
    }

    @Test
    void release_fileThatLeftWhileHeld_closesItThen() throws Exception {
        SharedFiles files = new SharedFiles(1);
        SharedFiles.Held a = files.acquire("/a", 10, Counted::new);
        files.release(files.acquire("/b", 10, Counted::new));
        assertFalse(((Counted) a.file()).closed, "never closed under a read");
        files.release(a);
        assertTrue(((Counted) a.file()).closed);
        SharedFiles.Held again = files.acquire("/a", 10, Counted::new);
        assertNotSame(a, again, "a file that left is opened anew");
        assertFalse(((Counted) again.file()).closed);
    }

    @Test
    void release_done_takesTheFileOutAndClosesItAfterItsLastHold() throws Exception {
        SharedFiles files = new SharedFiles(4);
        SharedFiles.Held a = files.acquire("/a", 10, Counted::new);
        SharedFiles.Held b = files.acquire("/a", 10, Counted::new);
        files.release(a, true);
        assertEquals(0, files.size());
        assertFalse(((Counted) a.file()).closed, "another read still holds it");
        files.release(b, false);
        assertTrue(((Counted) a.file()).closed);
        assertNotSame(a, files.acquire("/a", 10, Counted::new));
    }

    @Test
    void acquire_twoReadersOpenOnePath_theSecondClosesItsOwn() throws Exception {
        SharedFiles files = new SharedFiles(4);
        Counted[] inner = new Counted[1];
        SharedFiles.Held[] first = new SharedFiles.Held[1];
        // the outer open runs while another reader opens the same path and enters it first
        SharedFiles.Held outer = files.acquire("/a", 10, () -> {
            Counted mine = new Counted();
            first[0] = files.acquire("/a", 10, () -> inner[0] = new Counted());
            return mine;
        });
        assertSame(first[0], outer);
        assertSame(inner[0], outer.file());
        assertEquals(2, opened.get());
        assertEquals(1, files.opened());
        files.release(outer);
        files.release(first[0]);
        assertFalse(inner[0].closed);
    }

    @Test
    void acquire_openFails_leavesNothingBehind() throws Exception {
        SharedFiles files = new SharedFiles(4);
        assertThrows(IOException.class, () -> files.acquire("/a", 10, () -> {
            throw new IOException("gone");
        }));
        assertEquals(0, files.size());
        files.release(files.acquire("/a", 10, Counted::new));
        assertEquals(1, files.size());
    }
}
