package verso.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.TreeEntry;

/**
 * Writes one file or symlink of a version into the workspace, atomically: the content goes to a temp
 * file beside the target (so the move stays on one filesystem), each blob verified as it is read
 * from the cache, block by block for chunked files (memory bounded by the block size), then the
 * temp file is moved over the target. A reader never sees a half-written file.
 */
final class WorkspaceWriter {
    private final ObjectStore store;
    private final Path tempDir;
    private final ProgressListener progress;
    private final AtomicLong temps = new AtomicLong();
    /** Set once a move from {@link #tempDir} crossed file systems: temp files go beside their targets. */
    private volatile boolean beside;

    /**
     * Writes temp files in {@code tempDir} (the caller's, emptied and held exclusively), so that a
     * folder of many files sees one new entry per file, as when a file is created in place, rather
     * than a temp entry created, renamed and removed beside each one; a folder of 200,000 files
     * spent most of a checkout in the kernel's directory searches that way.
     */
    WorkspaceWriter(ObjectStore store, Path tempDir, ProgressListener progress) {
        this.store = store;
        this.tempDir = tempDir;
        this.progress = progress;
    }

    void write(Path dest, TreeEntry e) throws IOException {
        boolean inTempDir = !beside;
        Path tmp = inTempDir ? tempDir.resolve(AtomicFile.TEMP_PREFIX + temps.incrementAndGet())
                : AtomicFile.tempBeside(dest);
        try {
            if (e.type() == EntryType.SYMLINK) {
                try {
                    Files.createSymbolicLink(tmp, Paths.get(e.target()));
                } catch (NoSuchFileException missingParent) {
                    Files.createDirectories(tmp.getParent());
                    Files.createSymbolicLink(tmp, Paths.get(e.target()));
                }
            } else {
                try (FileChannel out = create(tmp)) {
                    if (e.chunked()) {
                        BlockIndex index = BlockIndex.decode(e.id(), store.read(e.id()));
                        if (index.size() != e.size()) {
                            throw new CorruptObjectException(e.id(), "block index size does not match the tree");
                        }
                        for (int i = 0; i < index.blocks().size(); i++) {
                            writeAll(out, read(index.blocks().get(i), index.blockLength(i)));
                        }
                    } else {
                        writeAll(out, read(e.id(), e.size()));
                    }
                }
                if (e.executable()) {
                    setExecutable(tmp, true); // a new file has no execute bits
                }
            }
            try {
                move(tmp, dest);
            } catch (AtomicMoveNotSupportedException crossesFileSystems) {
                if (!inTempDir) {
                    throw crossesFileSystems;
                }
                beside = true;
                Files.deleteIfExists(tmp);
                write(dest, e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves the temp file over the target; the target's parent directories are made only if it is
     * missing (a checkout makes them first, so asking for them for every file would cost a failed
     * mkdir and a stat each time).
     */
    private static void move(Path tmp, Path dest) throws IOException {
        try {
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException missingParent) {
            Files.createDirectories(dest.getParent());
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static FileChannel create(Path tmp) throws IOException {
        try {
            return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException missingParent) {
            Files.createDirectories(tmp.getParent());
            return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /**
     * A blob that must be {@code size} bytes (as its tree or block index says), sized before it is read,
     * so one that is longer is refused without being held in memory or written.
     */
    private byte[] read(ObjectId id, long size) throws IOException {
        long stored = store.size(id);
        if (stored >= 0 && stored != size) {
            throw new CorruptObjectException(id, "its " + stored + " bytes do not match the " + size
                    + " its tree or block index says");
        }
        return store.read(id);
    }

    private void writeAll(FileChannel out, byte[] data) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
            out.write(bb);
        }
        progress.advance(data.length);
    }

    static void setExecutable(Path p, boolean executable) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(p));
        boolean changed;
        if (executable) {
            changed = perms.add(PosixFilePermission.OWNER_EXECUTE);
            if (perms.contains(PosixFilePermission.GROUP_READ)) {
                changed |= perms.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if (perms.contains(PosixFilePermission.OTHERS_READ)) {
                changed |= perms.add(PosixFilePermission.OTHERS_EXECUTE);
            }
        } else {
            changed = perms.removeAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_EXECUTE));
        }
        if (changed) {
            Files.setPosixFilePermissions(p, perms);
        }
    }
}
