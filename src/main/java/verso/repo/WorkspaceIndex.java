package verso.repo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
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
 * but not trusted, and are re-hashed (and then trusted) on the next scan. Directories keep the tree
 * they last built (git's "cache tree"): a directory whose children all match is not encoded and
 * hashed again, so an unchanged tree costs one lstat per entry and nothing more. The file is binary,
 * versioned, tied to the block size (ids depend on it), and replaced atomically.
 */
public final class WorkspaceIndex {
    private static final int MAGIC = 0x5653_4958; // "VSIX"
    private static final int FORMAT = 2;
    static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Entry(long size, long mtimeNanos, String fileKey, boolean racy, boolean executable, ObjectId id,
                         boolean chunked) {
    }

    /** A directory's tree as last built: reusable while every child is unchanged and none came or went. */
    record CachedTree(int children, ObjectId id, long size, long files) {
    }

    private final Path file;
    private final int blockSize;
    private final Map<String, Entry> entries;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, CachedTree> trees = new ConcurrentHashMap<>();
    private final Set<String> seenTrees = ConcurrentHashMap.newKeySet();
    private volatile boolean dirty;

    private WorkspaceIndex(Path file, int blockSize, int expected) {
        this.file = file;
        this.blockSize = blockSize;
        this.entries = new ConcurrentHashMap<>(Math.max(16, expected * 4 / 3 + 1));
    }

    /** Loads the index; a missing, stale or unreadable index is simply empty (it is only a cache). */
    public static WorkspaceIndex load(Path file, int blockSize) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT || in.readInt() != blockSize) {
                return new WorkspaceIndex(file, blockSize, 0);
            }
            int n = in.readInt();
            WorkspaceIndex idx = new WorkspaceIndex(file, blockSize, n);
            byte[] id = new byte[ObjectId.LENGTH];
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                long size = in.readLong();
                long mtime = in.readLong();
                String key = in.readUTF();
                int flags = in.readByte();
                in.readFully(id);
                idx.entries.put(path, new Entry(size, mtime, key, (flags & 2) != 0, (flags & 4) != 0,
                        ObjectId.fromBytes(id), (flags & 1) != 0));
            }
            int t = in.readInt();
            for (int i = 0; i < t; i++) {
                String path = in.readUTF();
                int children = in.readInt();
                long size = in.readLong();
                long files = in.readLong();
                in.readFully(id);
                idx.trees.put(path, new CachedTree(children, ObjectId.fromBytes(id), size, files));
            }
            return idx;
        } catch (IOException | IllegalArgumentException e) {
            return new WorkspaceIndex(file, blockSize, 0);
        }
    }

    private static String key(PosixFileAttributes a) {
        Object k = a.fileKey();
        return k == null ? "" : k.toString();
    }

    private static long mtime(PosixFileAttributes a) {
        return a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    private static boolean executable(PosixFileAttributes a) {
        return a.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
    }

    /**
     * The content recorded for this file if its metadata (including the executable bit, which a
     * chmod changes without touching mtime) still matches and the entry is trusted.
     */
    public FileContent lookup(String path, PosixFileAttributes attrs) {
        seen.add(path);
        Entry e = entries.get(path);
        if (e == null || e.racy || e.size != attrs.size() || e.mtimeNanos != mtime(attrs)
                || !e.fileKey.equals(key(attrs)) || e.executable != executable(attrs)) {
            return null;
        }
        return new FileContent(e.id, e.chunked, e.size);
    }

    /** Records what a file hashed to, given the metadata it had before it was read. */
    public void record(String path, PosixFileAttributes attrs, FileContent content) {
        seen.add(path);
        long m = mtime(attrs);
        boolean racy = System.currentTimeMillis() * 1_000_000L - m < RACY_NANOS;
        entries.put(path, new Entry(attrs.size(), m, key(attrs), racy, executable(attrs), content.id(),
                content.chunked()));
        dirty = true;
    }

    /** The tree last built for this directory, or null. Valid only if the caller found every child unchanged. */
    CachedTree tree(String path) {
        seenTrees.add(path);
        return trees.get(path);
    }

    /** Records the tree built for a directory with this many children. */
    void recordTree(String path, CachedTree tree) {
        seenTrees.add(path);
        if (!tree.equals(trees.put(path, tree))) {
            dirty = true;
        }
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
        dirty |= entries.keySet().removeIf(p -> !seen.contains(p) && under(p, scannedRoots));
        dirty |= trees.keySet().removeIf(p -> !seenTrees.contains(p) && under(p, scannedRoots));
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
                out.writeByte((e.chunked ? 1 : 0) | (e.racy ? 2 : 0) | (e.executable ? 4 : 0));
                out.write(e.id.toBytes());
            }
            out.writeInt(trees.size());
            for (Map.Entry<String, CachedTree> me : trees.entrySet()) {
                CachedTree t = me.getValue();
                out.writeUTF(me.getKey());
                out.writeInt(t.children());
                out.writeLong(t.size());
                out.writeLong(t.files());
                out.write(t.id().toBytes());
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
