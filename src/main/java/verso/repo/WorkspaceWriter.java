package verso.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import verso.store.BlockIndex;
import verso.store.CorruptObjectException;
import verso.store.EntryType;
import verso.store.ObjectStore;
import verso.store.TreeEntry;

/**
 * Writes one file or symlink of a version into the workspace, atomically: the content goes to a temp
 * file in a temp folder inside the target's folder (so the move stays on one filesystem), each blob
 * verified as it is read from the cache, block by block for chunked files (memory bounded by the
 * block size), then the temp file is moved over the target. A reader never sees a half-written file.
 *
 * <p>Design: the temp folder, one per target folder, makes the target folder see one new entry per
 * file, as when a file is created in place (a temp entry created, renamed and removed beside each
 * file made a folder of 200,000 files spend most of a checkout in the kernel's directory searches),
 * while the file's inode is still allocated near its folder's (one temp folder for the whole
 * workspace put every new inode in one place, and a million-file checkout spent most of its time in
 * the file system's search for free inodes). The most recently used temp folders are kept, each
 * removed when it falls out of use; {@link #close} removes the rest.
 */
final class WorkspaceWriter implements AutoCloseable {
    /** The temp folder's name inside each target folder. */
    static final String TEMP_DIR = AtomicFile.TEMP_PREFIX + "checkout";
    /** Temp folders kept at once. */
    private static final int KEPT = 64;

    private final ObjectStore store;
    private final ProgressListener progress;
    /** Temp file names: this writer's own, so a leftover of another never stands in the way. */
    private final String run = Long.toHexString(new SecureRandom().nextLong());
    private final AtomicLong temps = new AtomicLong();
    /** Temp folders by target folder, least recently used first. */
    private final LinkedHashMap<Path, TempDir> dirs = new LinkedHashMap<>(16, 0.75f, true);

    /** A temp folder and the writes using it now. */
    private static final class TempDir {
        final Path path;
        int users;

        TempDir(Path path) {
            this.path = path;
        }
    }

    WorkspaceWriter(ObjectStore store, ProgressListener progress) {
        this.store = store;
        this.progress = progress;
    }

    void write(Path dest, TreeEntry e) throws IOException {
        TempDir dir = acquire(dest.getParent());
        Path tmp = dir.path.resolve(run + "-" + temps.incrementAndGet());
        boolean moved = false;
        try {
            if (e.type() == EntryType.SYMLINK) {
                Files.createSymbolicLink(tmp, Paths.get(e.target()));
            } else {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    if (e.chunked()) {
                        BlockIndex index = BlockIndex.decode(e.id(), store.read(e.id()));
                        if (index.size() != e.size()) {
                            throw new CorruptObjectException(e.id(), "block index size does not match the tree");
                        }
                        for (int i = 0; i < index.blocks().size(); i++) {
                            writeAll(out, store.read(index.blocks().get(i), index.blockLength(i)));
                        }
                    } else {
                        writeAll(out, store.read(e.id(), e.size()));
                    }
                }
                if (e.executable()) {
                    setExecutable(tmp, true); // a new file has no execute bits
                }
            }
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
            release(dir);
        }
    }

    /** The temp folder inside {@code parent}, made (with {@code parent}) if needed. */
    private synchronized TempDir acquire(Path parent) throws IOException {
        TempDir d = dirs.get(parent);
        if (d == null) {
            d = new TempDir(parent.resolve(TEMP_DIR));
            Files.createDirectories(d.path);
            dirs.put(parent, d);
            d.users++;
            for (Iterator<TempDir> it = dirs.values().iterator(); dirs.size() > KEPT && it.hasNext(); ) {
                TempDir old = it.next();
                if (old.users == 0) {
                    it.remove();
                    remove(old.path);
                }
            }
        } else {
            d.users++;
        }
        return d;
    }

    /** Removes an unused temp folder; one a failed write left a file in stays for the next checkout. */
    private static void remove(Path tempDir) throws IOException {
        try {
            Files.deleteIfExists(tempDir);
        } catch (DirectoryNotEmptyException e) {
            // removed with its leftovers by the next checkout's scan
        }
    }

    private synchronized void release(TempDir d) {
        d.users--;
    }

    /** Removes the temp folders left; each is empty once every write has returned. */
    @Override
    public synchronized void close() throws IOException {
        for (TempDir d : dirs.values()) {
            remove(d.path);
        }
        dirs.clear();
    }

    /** Removes a temp file or temp folder (with the temp files in it) that a killed writer left. */
    static void deleteTemp(Path temp) throws IOException {
        if (Files.isDirectory(temp, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(temp)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
        }
        Files.deleteIfExists(temp);
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
