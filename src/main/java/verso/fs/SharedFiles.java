package verso.fs;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import verso.read.ContentSource;

/**
 * Open files for reads that arrive without an open: when the kernel sends no open and no release
 * (see {@link VersoFileSystem#read(verso.store.TreeEntry, long, int, verso.read.ContentSource.Ranges)}), a large
 * file's state that lives between reads (its read-ahead window, the blocks it holds) is kept here,
 * one open file per key (the file's content id), shared by every reader of that content.
 *
 * <p>Design: a map in access order, bounded by a count of files. A read takes a hold on its key's
 * file, opening it if absent (outside the lock, since opening may fetch a block index; of two
 * readers that open the same file at once, the second closes its own and uses the first's), and lets
 * go after. Past the bound, the least recently read files leave the map; each is closed once its
 * last hold is let go, so a file is never closed under a read. A file that leaves is simply opened
 * again by its next read, with a new read-ahead window. A read that reaches the end of its file
 * takes the file out too, since the kernel has no release to tell us that its reader is done; a
 * file whose reader stopped halfway stays until newer ones push it out, and the blocks it holds are
 * the read path's to take back under memory pressure, as from any open file.
 */
final class SharedFiles {
    /** Opens the file a key names; called without the table's lock. */
    @FunctionalInterface
    interface Opener {
        ContentSource.OpenFile open() throws IOException, FsException;
    }

    /** One open file and the reads that hold it. */
    static final class Held {
        private final Object key;
        private final long size;
        private final ContentSource.OpenFile file;
        private int holds;
        private boolean removed;

        Held(Object key, long size, ContentSource.OpenFile file) {
            this.key = key;
            this.size = size;
            this.file = file;
        }

        ContentSource.OpenFile file() {
            return file;
        }

        /** The file's size, as given when it was opened. */
        long size() {
            return size;
        }
    }

    private final int maxFiles;
    private final Map<Object, Held> files;
    private long opened;

    SharedFiles(int maxFiles) {
        if (maxFiles < 1) {
            throw new IllegalArgumentException("at least one file");
        }
        this.maxFiles = maxFiles;
        this.files = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The open file of {@code key} held for the caller until {@link #release}, or null if none is open. */
    private synchronized Held find(Object key) {
        Held h = files.get(key);
        if (h != null) {
            h.holds++;
        }
        return h;
    }

    /**
     * The open file of {@code key} (a file of {@code size} bytes), held for the caller until
     * {@link #release}; opened if need be.
     */
    Held acquire(Object key, long size, Opener opener) throws IOException, FsException {
        Held h = find(key);
        if (h != null) {
            return h;
        }
        ContentSource.OpenFile fresh = opener.open();
        Held mine = new Held(key, size, fresh);
        Held existing;
        synchronized (this) {
            existing = files.get(key);
            if (existing != null) {
                existing.holds++;
            } else {
                mine.holds = 1;
                files.put(key, mine);
                opened++;
                evictPastBound();
            }
        }
        if (existing != null) {
            VersoFileSystem.close(fresh);
            return existing;
        }
        return mine;
    }

    /** Lets go of a hold; the file is closed if it left the table and this was its last hold. */
    void release(Held h) {
        release(h, false);
    }

    /**
     * Lets go of a hold, and with {@code done} (the read reached the end of the file: its reader is
     * most likely finished) takes the file out of the table, so that it holds no blocks once its
     * reads are over; a reader still reading it opens it again.
     */
    void release(Held h, boolean done) {
        boolean close;
        synchronized (this) {
            h.holds--;
            if (done && !h.removed && files.get(h.key) == h) {
                files.remove(h.key);
                h.removed = true;
            }
            close = h.removed && h.holds == 0;
        }
        if (close) {
            VersoFileSystem.close(h.file);
        }
    }

    /** Files in the table now. */
    synchronized int size() {
        return files.size();
    }

    /** Files opened into the table since it was made. */
    synchronized long opened() {
        return opened;
    }

    private void evictPastBound() {
        Iterator<Held> it = files.values().iterator();
        while (files.size() > maxFiles && it.hasNext()) {
            Held h = it.next();
            it.remove();
            h.removed = true;
            if (h.holds == 0) {
                VersoFileSystem.close(h.file); // no read holds it; closing a content file does not block
            }
        }
    }
}
