package verso.repo;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * {@code .verso/index}: what each workspace file hashed to, keyed by its path and checked against its
 * size, modification time (ns) and file key (a 32-bit hash of device and inode, as git keeps 32 bits
 * of each), so that an unchanged tree is compared without reading any content. Only a hint: a miss
 * means "hash it again".
 *
 * <p>Design: a file modified within the filesystem's timestamp granularity of being hashed could keep
 * its mtime; such "racy" entries (mtime less than {@link #RACY_NANOS} before recording) are stored
 * but not trusted, and are re-hashed (and then trusted) on the next scan. A file checkout wrote itself
 * is judged when the index is saved instead, as git judges its entries against the index file's time:
 * a checkout records each file just after writing it, and all of them would be racy by the first rule.
 * Only the files written in the last second before the save are then re-hashed, and when they are
 * many or large the save waits out that second instead; a change by another program within the same
 * timestamp tick as checkout's own write would go unseen, as in git. Directories keep the tree
 * they last built (git's "cache tree"): a directory whose children all match is not encoded and
 * hashed again, so an unchanged tree costs one lstat per entry and nothing more.
 *
 * <p>Memory does not grow with the workspace: the file is two sorted {@link IndexTable}s (files,
 * trees) read in place from a mapping, what a command records goes to {@link IndexRuns} (sorted,
 * spilled to disk when large), and {@link #save} merges the two into the next file as a stream. Only
 * one bit per old record (seen or not) is held. The file is binary, versioned, tied to the block
 * size (ids depend on it), and replaced atomically.
 */
public final class WorkspaceIndex {
    private static final int MAGIC = 0x5653_4958; // "VSIX"
    private static final int FORMAT = 5;
    private static final int HEADER = 20;
    private static final int TRAILER = 20;
    /** Records held in memory before a sorted run is written to disk. */
    private static final int CHUNK = 50_000;
    static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * Files, or bytes, written by checkout in the last second before a save that are worth waiting up to
     * that second for: hashing them again, twice, and rewriting the index twice would take about as long.
     */
    static final long RECENT_FILES_WORTH_A_WAIT = 10_000;
    private static final long RECENT_BYTES_WORTH_A_WAIT = 1L << 30;
    /** The flag of a file record whose content was in the store when recorded. */
    private static final int STORED = 8;
    /** The flag of a file record whose raciness is decided when the index is saved. */
    private static final int WRITTEN = 16;
    /**
     * Where a file record's fields lie in its payload: size, mtime, flags (1 chunked, 2 racy,
     * 4 executable, 8 stored, 16 written), content id, file key.
     */
    private static final int MTIME = 8;
    private static final int FLAGS = 16;
    private static final int ID = 17;
    private static final int KEY = ID + ObjectId.LENGTH;
    private static final int FILE_PAYLOAD = KEY + 4;

    /** A directory's tree as last built: reusable while every child is unchanged and none came or went. */
    record CachedTree(int children, ObjectId id, long size, long files) {
    }

    private final Path file;
    private final int blockSize;
    /** The store's removal epoch now; written into the next file. */
    private final long epoch;
    /** True if the store lost no object since the file was written: its "stored" records hold. */
    private final boolean storeIntact;
    private final IndexTable files;
    private final IndexTable trees;
    private final BitSet seenFiles = new BitSet();
    private final BitSet seenTrees = new BitSet();
    private final IndexRuns newFiles;
    private final IndexRuns newTrees;
    /** The files checkout wrote over the last second, by the tenth of their mtime ({@link #waitForRecentWrites}). */
    private final RecentWrites recentWrites = new RecentWrites();

    private WorkspaceIndex(Path file, int blockSize, long epoch, boolean storeIntact, int chunk, IndexTable files,
                           IndexTable trees) {
        this.file = file;
        this.blockSize = blockSize;
        this.epoch = epoch;
        this.storeIntact = storeIntact;
        this.files = files;
        this.trees = trees;
        Path dir = file.toAbsolutePath().getParent();
        this.newFiles = new IndexRuns(dir, chunk);
        this.newTrees = new IndexRuns(dir, chunk);
    }

    /**
     * Loads the index; a missing, stale or unreadable index is simply empty (it is only a cache).
     * {@code epoch}: the store's {@link verso.store.ObjectStore#removalEpoch} now.
     */
    public static WorkspaceIndex load(Path file, int blockSize, long epoch) {
        return load(file, blockSize, epoch, CHUNK);
    }

    /** As {@link #load(Path, int, long)}, writing new records to disk in sorted runs of {@code chunk}. */
    static WorkspaceIndex load(Path file, int blockSize, long epoch, int chunk) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER + TRAILER || size > Integer.MAX_VALUE) {
                return empty(file, blockSize, epoch, chunk);
            }
            ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int end = (int) size - TRAILER;
            if (buf.getInt(0) != MAGIC || buf.getInt(4) != FORMAT || buf.getInt(8) != blockSize
                    || buf.getInt(end + 16) != MAGIC) {
                return empty(file, blockSize, epoch, chunk);
            }
            int fileCount = buf.getInt(end);
            int fileOffsets = buf.getInt(end + 4);
            int treeCount = buf.getInt(end + 8);
            int treeOffsets = buf.getInt(end + 12);
            if (fileCount < 0 || treeCount < 0 || fileOffsets < HEADER || treeOffsets < HEADER
                    || (long) fileOffsets + 4L * fileCount > end || (long) treeOffsets + 4L * treeCount > end) {
                return empty(file, blockSize, epoch, chunk);
            }
            boolean intact = epoch != ObjectStore.UNKNOWN_EPOCH && buf.getLong(12) == epoch;
            return new WorkspaceIndex(file, blockSize, epoch, intact, chunk, new IndexTable(buf, fileOffsets, fileCount),
                    new IndexTable(buf, treeOffsets, treeCount));
        } catch (IOException | RuntimeException e) {
            return empty(file, blockSize, epoch, chunk);
        }
    }

    private static WorkspaceIndex empty(Path file, int blockSize, long epoch, int chunk) {
        return new WorkspaceIndex(file, blockSize, epoch, false, chunk, IndexTable.EMPTY, IndexTable.EMPTY);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A file's recorded content. {@code stored}: the content was in the store when recorded and the
     * store has lost no object since, so it is there still.
     */
    record Known(FileContent content, boolean stored) {
    }

    /** Where a caller's lookups stand: the record after its last hit, tried first by the next lookup. */
    static final class Hint {
        private int next = -1;
    }

    /**
     * The content recorded for this file if its metadata (including the executable bit, which a
     * chmod changes without touching mtime) still matches and the entry is trusted.
     */
    Known lookup(byte[] path, FileStat attrs, Hint hint) {
        int i = files.find(path, hint.next);
        if (i < 0) {
            return null;
        }
        hint.next = i + 1;
        synchronized (seenFiles) {
            seenFiles.set(i);
        }
        ByteBuffer b = files.buffer();
        int p = files.payloadAt(i);
        if ((b.getShort(p - 2) & 0xffff) != FILE_PAYLOAD) {
            return null; // not a record this format writes: hash the file again
        }
        long size = b.getLong(p);
        int flags = b.get(p + FLAGS);
        if ((flags & 2) != 0 || size != attrs.size() || b.getLong(p + MTIME) != attrs.mtimeNanos()
                || b.getInt(p + KEY) != attrs.key() || ((flags & 4) != 0) != attrs.executable()) {
            return null;
        }
        return new Known(new FileContent(ObjectId.fromTable(b, p + ID), (flags & 1) != 0, size),
                storeIntact && (flags & STORED) != 0);
    }

    /**
     * Records what a file hashed to, given the metadata it had before it was read; {@code stored}
     * if that content is in the store.
     */
    void record(String path, FileStat attrs, FileContent content, boolean stored) {
        record(path, attrs, content, stored, false);
    }

    /**
     * Records a file checkout has just written with this content (in the store), given its metadata
     * after the write; whether the record is racy is decided when the index is saved.
     */
    void recordWritten(String path, FileStat attrs, FileContent content) {
        record(path, attrs, content, true, true);
        recentWrites.add(attrs.mtimeNanos(), attrs.size());
    }

    private void record(String path, FileStat attrs, FileContent content, boolean stored, boolean written) {
        long m = attrs.mtimeNanos();
        boolean racy = !written && racy(m, nowNanos());
        ByteBuffer b = ByteBuffer.allocate(FILE_PAYLOAD);
        b.putLong(attrs.size()).putLong(m);
        b.put((byte) ((content.chunked() ? 1 : 0) | (racy ? 2 : 0) | (attrs.executable() ? 4 : 0)
                | (stored ? STORED : 0) | (written ? WRITTEN : 0)));
        b.put(content.id().toBytes()).putInt(attrs.key());
        newFiles.add(utf8(path), b.array());
    }

    private static long nowNanos() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private static boolean racy(long mtime, long now) {
        return now - mtime < RACY_NANOS;
    }

    /** A written record's payload as saved at {@code now}: racy if the file's mtime is that recent. */
    private static byte[] settle(byte[] payload, long now) {
        if ((payload[FLAGS] & WRITTEN) != 0) {
            payload[FLAGS] &= (byte) ~WRITTEN;
            if (racy(ByteBuffer.wrap(payload).getLong(MTIME), now)) {
                payload[FLAGS] |= 2;
            }
        }
        return payload;
    }

    /**
     * Before a save: the files checkout wrote in the last second would be saved as racy, and the next
     * scan would hash them again (a status run within the second after that, a second time, since a file
     * hashed within a second of its mtime is racy too). When they are many or large (a large
     * checkout's last 15,000 files, a file of a few GiB), waits out the rest of that second instead, so
     * that none is racy; a small checkout is not made to wait.
     */
    private void waitForRecentWrites() {
        long now = nowNanos();
        RecentWrites.Tally recent = recentWrites.since(now - RACY_NANOS);
        long wait = recent.newestMtime() + RACY_NANOS - now;
        boolean worthIt = recent.files() >= RECENT_FILES_WORTH_A_WAIT || recent.bytes() >= RECENT_BYTES_WORTH_A_WAIT;
        if (wait <= 0 || !worthIt) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(wait + TimeUnit.MILLISECONDS.toNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // saved at once: the files stay racy, which is only slower
        }
    }

    /** Counts of files written, and their bytes, by the tenth of a second of their mtime, for ten tenths. */
    private static final class RecentWrites {
        private static final long TENTH = TimeUnit.MILLISECONDS.toNanos(100);
        private final long[] tenth = new long[10];
        private final long[] files = new long[10];
        private final long[] bytes = new long[10];
        private long newest;

        record Tally(long files, long bytes, long newestMtime) {
        }

        synchronized void add(long mtime, long size) {
            long t = Math.floorDiv(mtime, TENTH);
            int i = (int) Math.floorMod(t, 10L);
            if (tenth[i] != t) {
                tenth[i] = t;
                files[i] = 0;
                bytes[i] = 0;
            }
            files[i]++;
            bytes[i] += size;
            newest = Math.max(newest, mtime);
        }

        /** The files with an mtime in a tenth that ends after {@code from}. */
        synchronized Tally since(long from) {
            long f = 0;
            long b = 0;
            for (int i = 0; i < 10; i++) {
                if ((tenth[i] + 1) * TENTH > from && files[i] > 0) {
                    f += files[i];
                    b += bytes[i];
                }
            }
            return new Tally(f, b, newest);
        }
    }

    private static byte[] encode(CachedTree t) {
        return ByteBuffer.allocate(20 + ObjectId.LENGTH).putInt(t.children()).putLong(t.size()).putLong(t.files())
                .put(t.id().toBytes()).array();
    }

    /** The tree last built for this directory, or null. Valid only if the caller found every child unchanged. */
    synchronized CachedTree tree(String path) {
        int i = trees.find(utf8(path));
        if (i < 0) {
            return null;
        }
        seenTrees.set(i);
        ByteBuffer b = ByteBuffer.wrap(trees.payload(i));
        int children = b.getInt();
        long size = b.getLong();
        long files = b.getLong();
        byte[] id = new byte[ObjectId.LENGTH];
        b.get(id);
        return new CachedTree(children, ObjectId.fromBytes(id), size, files);
    }

    /** Records the tree built for a directory with this many children. */
    void recordTree(String path, CachedTree tree) {
        byte[] p = utf8(path);
        byte[] payload = encode(tree);
        synchronized (this) {
            int i = trees.find(p);
            if (i >= 0 && Arrays.equals(trees.payload(i), payload)) {
                seenTrees.set(i);
                return;
            }
        }
        newTrees.add(p, payload);
    }

    /** Number of file entries loaded (for tests and diagnostics). */
    public int size() {
        return files.count();
    }

    /**
     * Writes the index if anything changed, first dropping entries below {@code scannedRoots} that the
     * scans since loading did not see (deleted files). Once per loaded index: the records it merges
     * are gone after it.
     */
    public synchronized void save(Collection<String> scannedRoots) throws IOException {
        try {
            waitForRecentWrites();
            List<byte[]> roots = scannedRoots.stream().map(WorkspaceIndex::utf8).toList();
            if (newFiles.isEmpty() && newTrees.isEmpty() && !anyDropped(files, seenFiles, roots)
                    && !anyDropped(trees, seenTrees, roots)) {
                return;
            }
            Path tmp = AtomicFile.tempBeside(file);
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                     DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch),
                             1 << 16))) {
                    out.writeInt(MAGIC);
                    out.writeInt(FORMAT);
                    out.writeInt(blockSize);
                    out.writeLong(epoch);
                    long now = nowNanos();
                    int[] fileOffsets = merge(out, files, seenFiles, roots, newFiles, !storeIntact, true, now);
                    int[] treeOffsets = merge(out, trees, seenTrees, roots, newTrees, false, false, now);
                    int fileTable = position(out);
                    writeInts(out, fileOffsets);
                    int treeTable = position(out);
                    writeInts(out, treeOffsets);
                    out.writeInt(fileOffsets.length);
                    out.writeInt(fileTable);
                    out.writeInt(treeOffsets.length);
                    out.writeInt(treeTable);
                    out.writeInt(MAGIC);
                    out.flush();
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (TooLarge e) {
                Files.deleteIfExists(file); // only a cache: the next scan hashes again
            } finally {
                Files.deleteIfExists(tmp);
            }
        } finally {
            newFiles.close();
            newTrees.close();
        }
    }

    private static boolean anyDropped(IndexTable t, BitSet seen, List<byte[]> roots) {
        for (int i = seen.nextClearBit(0); i < t.count(); i = seen.nextClearBit(i + 1)) {
            if (under(t, i, roots)) {
                return true;
            }
        }
        return false;
    }

    private static boolean under(IndexTable t, int i, List<byte[]> roots) {
        for (byte[] r : roots) {
            if (t.under(i, r)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the records of one section in walk order: the old ones kept (seen, or outside the
     * scanned roots) and the new ones, a new record replacing an old one of the same path. Returns
     * the offsets of the records written. {@code unstore}: clear the old file records' "stored" flag
     * (the store lost objects since they were written). {@code files}: the section of file records,
     * whose written records are settled as of {@code now}.
     */
    private static int[] merge(DataOutputStream out, IndexTable old, BitSet seen, List<byte[]> roots,
                               IndexRuns added, boolean unstore, boolean files, long now) throws IOException {
        List<IndexRuns.Cursor> cursors = new ArrayList<>();
        cursors.add(new IndexRuns.Cursor() {
            private int i = -1;
            private IndexRuns.Rec cur;

            {
                next();
            }

            @Override
            public IndexRuns.Rec peek() {
                return cur;
            }

            @Override
            public void next() {
                do {
                    i++;
                } while (i < old.count() && !seen.get(i) && under(old, i, roots));
                if (i < old.count()) {
                    byte[] payload = old.payload(i);
                    if (unstore) {
                        payload[FLAGS] &= (byte) ~STORED;
                    }
                    cur = new IndexRuns.Rec(old.path(i), payload);
                } else {
                    cur = null;
                }
            }
        });
        cursors.addAll(added.cursors());
        // Smallest path first; of equal paths the newest source (highest number) first.
        PriorityQueue<Integer> queue = new PriorityQueue<>((a, b) -> {
            int c = IndexTable.comparePaths(cursors.get(a).peek().path(), cursors.get(b).peek().path());
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int k = 0; k < cursors.size(); k++) {
            if (cursors.get(k).peek() != null) {
                queue.add(k);
            }
        }
        int[] offsets = new int[16];
        int n = 0;
        byte[] last = null;
        try {
            while (!queue.isEmpty()) {
                int k = queue.poll();
                IndexRuns.Cursor c = cursors.get(k);
                IndexRuns.Rec r = c.peek();
                if (last == null || IndexTable.comparePaths(last, r.path()) != 0) {
                    if (n == offsets.length) {
                        offsets = Arrays.copyOf(offsets, n * 2);
                    }
                    offsets[n++] = position(out);
                    IndexRuns.write(out, files ? new IndexRuns.Rec(r.path(), settle(r.payload(), now)) : r);
                    last = r.path();
                }
                c.next();
                if (c.peek() != null) {
                    queue.add(k);
                }
            }
        } finally {
            for (IndexRuns.Cursor c : cursors) {
                c.close();
            }
        }
        return Arrays.copyOf(offsets, n);
    }

    private static void writeInts(DataOutputStream out, int[] values) throws IOException {
        for (int v : values) {
            out.writeInt(v);
        }
    }

    /** Where the next byte goes; {@link DataOutputStream#size} stops counting at 2 GiB, which the index may not pass. */
    private static int position(DataOutputStream out) throws IOException {
        int n = out.size();
        if (n < 0 || n > Integer.MAX_VALUE - (1 << 20)) {
            throw new TooLarge();
        }
        return n;
    }

    /** An index past what one mapping reads (2 GiB, some 15 million files). */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("the workspace index would be larger than 2 GiB");
        }
    }
}
