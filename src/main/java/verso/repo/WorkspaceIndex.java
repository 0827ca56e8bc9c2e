package verso.repo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;

/**
 * {@code .verso/index}: what each workspace file hashed to, keyed by its path and checked against its
 * size, modification time (ns) and file key (device and inode), so that an unchanged tree is
 * compared without reading any content. Only a hint: a miss means "hash it again".
 *
 * <p>Design: a file modified within the filesystem's timestamp granularity of being hashed could keep
 * its mtime; such "racy" entries (mtime less than {@link #RACY_NANOS} before recording) are stored
 * but not trusted, and are re-hashed (and then trusted) on the next scan. The file is binary,
 * versioned, tied to the block size (ids depend on it), and replaced atomically.
 */
public final class WorkspaceIndex {
    private static final int MAGIC = 0x5653_4958; // "VSIX"
    private static final int FORMAT = 1;
    static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Entry(long size, long mtimeNanos, String fileKey, boolean racy, ObjectId id, boolean chunked) {
    }

    private final Path file;
    private final int blockSize;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean dirty;

    private WorkspaceIndex(Path file, int blockSize) {
        this.file = file;
        this.blockSize = blockSize;
    }

    /** Loads the index; a missing, stale or unreadable index is simply empty (it is only a cache). */
    public static WorkspaceIndex load(Path file, int blockSize) {
        WorkspaceIndex idx = new WorkspaceIndex(file, blockSize);
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT || in.readInt() != blockSize) {
                return idx;
            }
            int n = in.readInt();
            byte[] id = new byte[ObjectId.LENGTH];
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                long size = in.readLong();
                long mtime = in.readLong();
                String key = in.readUTF();
                int flags = in.readByte();
                in.readFully(id);
                idx.entries.put(path, new Entry(size, mtime, key, (flags & 2) != 0, ObjectId.fromBytes(id),
                        (flags & 1) != 0));
            }
        } catch (NoSuchFileException e) {
            return idx;
        } catch (EOFException | IllegalArgumentException e) {
            idx.entries.clear();
        } catch (IOException e) {
            idx.entries.clear();
        }
        return idx;
    }

    private static String key(PosixFileAttributes a) {
        Object k = a.fileKey();
        return k == null ? "" : k.toString();
    }

    private static long mtime(PosixFileAttributes a) {
        return a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /** The content recorded for this file if its metadata still matches and the entry is trusted. */
    public FileContent lookup(String path, PosixFileAttributes attrs) {
        seen.add(path);
        Entry e = entries.get(path);
        if (e == null || e.racy || e.size != attrs.size() || e.mtimeNanos != mtime(attrs)
                || !e.fileKey.equals(key(attrs))) {
            return null;
        }
        return new FileContent(e.id, e.chunked, e.size);
    }

    /** Records what a file hashed to, given the metadata it had before it was read. */
    public void record(String path, PosixFileAttributes attrs, FileContent content) {
        seen.add(path);
        long m = mtime(attrs);
        boolean racy = System.currentTimeMillis() * 1_000_000L - m < RACY_NANOS;
        entries.put(path, new Entry(attrs.size(), m, key(attrs), racy, content.id(), content.chunked()));
        dirty = true;
    }

    /** Number of entries (for tests and diagnostics). */
    public int size() {
        return entries.size();
    }

    /**
     * Writes the index if anything changed, first dropping entries below {@code scannedRoots} that the
     * scans since loading did not see (deleted files).
     */
    public void save(Collection<String> scannedRoots) throws IOException {
        for (String p : entries.keySet()) {
            if (!seen.contains(p) && under(p, scannedRoots)) {
                entries.remove(p);
                dirty = true;
            }
        }
        if (!dirty) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(entries.size() * 96 + 16);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(bytes, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(blockSize);
            out.writeInt(entries.size());
            for (Map.Entry<String, Entry> me : entries.entrySet()) {
                Entry e = me.getValue();
                out.writeUTF(me.getKey());
                out.writeLong(e.size);
                out.writeLong(e.mtimeNanos);
                out.writeUTF(e.fileKey);
                out.writeByte((e.chunked ? 1 : 0) | (e.racy ? 2 : 0));
                out.write(e.id.toBytes());
            }
        }
        AtomicFile.write(file, bytes.toByteArray());
        dirty = false;
    }

    private static boolean under(String path, Collection<String> roots) {
        for (String r : roots) {
            if (path.equals(r) || path.startsWith(r + "/")) {
                return true;
            }
        }
        return false;
    }
}
