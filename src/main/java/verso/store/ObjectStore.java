package verso.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A directory of objects by id: {@code objects/ab/cdef...}. Every write goes to a temp file in
 * {@code tmp/} on the same filesystem and is moved into place atomically once its bytes are known
 * to hash to the id, so a reader never sees a partial object under its final name. Objects are
 * immutable: an insert of an object already present writes nothing.
 */
public final class ObjectStore {
    private static final int COPY_BUFFER = 1 << 16;
    /** Temp names unique across processes (pid) and threads (counter) without a random source. */
    private static final String TEMP_PREFIX = ProcessHandle.current().pid() + "-" + System.nanoTime() + "-";
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    /** The file holding {@link #removalEpoch}. */
    private static final String EPOCH = "removal-epoch";
    public static final long UNKNOWN_EPOCH = -1;

    private final Path root;
    private final Path objects;
    private volatile boolean epochChanged;
    private final Path tmp;

    public ObjectStore(Path root) {
        this.root = root;
        this.objects = root.resolve("objects");
        this.tmp = root.resolve("tmp");
    }

    /** Creates the directories if they do not exist. */
    public ObjectStore create() throws IOException {
        Files.createDirectories(objects);
        Files.createDirectories(tmp);
        return this;
    }

    public Path root() {
        return root;
    }

    public Path pathOf(ObjectId id) {
        String hex = id.hex();
        return objects.resolve(hex.substring(0, 2)).resolve(hex.substring(2));
    }

    public boolean contains(ObjectId id) {
        return Files.isRegularFile(pathOf(id));
    }

    /** The stored size, or -1 if absent. */
    public long size(ObjectId id) {
        try {
            return Files.size(pathOf(id));
        } catch (IOException e) {
            return -1;
        }
    }

    /** Hashes and stores {@code data}; returns its id. */
    public ObjectId insert(byte[] data) throws IOException {
        return insert(data, 0, data.length);
    }

    public ObjectId insert(byte[] data, int offset, int length) throws IOException {
        return insert(ByteBuffer.wrap(data, offset, length));
    }

    /**
     * Hashes and stores the remaining bytes of {@code data} (its position is restored), writing
     * nothing when the object is already present. Direct buffers avoid copies through the heap.
     */
    public ObjectId insert(ByteBuffer data) throws IOException {
        MessageDigest md = Hashing.sha256();
        int start = data.position();
        md.update(data);
        data.position(start);
        ObjectId id = ObjectId.fromBytes(md.digest());
        if (!contains(id)) {
            try {
                write(id, out -> {
                    while (data.hasRemaining()) {
                        out.write(data);
                    }
                    return id;
                });
            } finally {
                data.position(start);
            }
        }
        return id;
    }

    /** Writes an object's bytes as they are made. */
    public interface Encoding {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Hashes and stores what {@code encoding} writes, streamed through a temp file: for an object too
     * large to hold as bytes, such as the tree of a folder of a million files.
     */
    public ObjectId insert(Encoding encoding) throws IOException {
        return write(null, ch -> {
            MessageDigest md = Hashing.sha256();
            try (OutputStream out = new DigestOutputStream(
                    new BufferedOutputStream(Channels.newOutputStream(ch), COPY_BUFFER), md)) {
                encoding.write(out);
            }
            return ObjectId.fromBytes(md.digest());
        });
    }

    /**
     * Stores bytes that must hash to {@code expected}, streaming from {@code in}. Throws
     * {@link CorruptObjectException} and stores nothing if they do not.
     */
    public void insert(ObjectId expected, InputStream in) throws IOException {
        if (contains(expected)) {
            in.transferTo(OutputStream.nullOutputStream());
            return;
        }
        write(expected, out -> {
            MessageDigest md = Hashing.sha256();
            byte[] buf = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            }
            return ObjectId.fromBytes(md.digest());
        });
    }

    /** What writes an object's bytes to a temp file and returns the id they hash to. */
    private interface Writer {
        ObjectId write(FileChannel out) throws IOException;
    }

    /**
     * Writes a temp file, checks its id against {@code expected} (unless null), publishes it and
     * returns its id; the temp file never outlives a failure.
     */
    private ObjectId write(ObjectId expected, Writer writer) throws IOException {
        Path t = tempPath();
        boolean published = false;
        try {
            ObjectId actual;
            try (FileChannel out = createTemp(t)) {
                actual = writer.write(out);
            }
            if (expected != null && !actual.equals(expected)) {
                throw new CorruptObjectException(expected, "content hashes to " + actual.shortHex());
            }
            publish(t, actual);
            published = true;
            return actual;
        } finally {
            if (!published) {
                Files.deleteIfExists(t);
            }
        }
    }

    /** Stores bytes that must hash to {@code expected} (hashed once, then written as they are). */
    public void insert(ObjectId expected, byte[] data) throws IOException {
        ObjectId actual = Hashing.hash(data);
        if (!actual.equals(expected)) {
            throw new CorruptObjectException(expected, "content hashes to " + actual.shortHex());
        }
        if (!contains(expected)) {
            ByteBuffer bb = ByteBuffer.wrap(data);
            write(expected, out -> {
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                return actual;
            });
        }
    }

    /** Reads a whole object and checks its hash. Meant for objects that fit in memory (at most a block). */
    public byte[] read(ObjectId id) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(pathOf(id));
        } catch (NoSuchFileException e) {
            throw new MissingObjectException(id);
        }
        return verified(id, data);
    }

    private static byte[] verified(ObjectId id, byte[] data) throws CorruptObjectException {
        if (!Hashing.hash(data).equals(id)) {
            throw new CorruptObjectException(id, "content does not match its id");
        }
        return data;
    }

    /**
     * Reads a whole object that must be {@code size} bytes (as its tree or block index says) and
     * checks its hash; one of another length is refused before it is read, so a damaged cache cannot
     * make a reader hold more than it expects.
     */
    public byte[] read(ObjectId id, long size) throws IOException {
        try (FileChannel ch = open(id)) {
            long stored = ch.size();
            if (stored != size) {
                throw new CorruptObjectException(id, "its " + stored + " bytes do not match the " + size
                        + " its tree or block index says");
            }
            ByteBuffer bb = ByteBuffer.allocate(Math.toIntExact(size));
            while (bb.hasRemaining()) {
                if (ch.read(bb, bb.position()) < 0) {
                    throw new CorruptObjectException(id, "it ended after " + bb.position() + " of its " + size + " bytes");
                }
            }
            return verified(id, bb.array());
        }
    }

    /** Opens an object for positional reads. The caller verifies what it reads (see {@link BlockIndex}). */
    public FileChannel open(ObjectId id) throws IOException {
        try {
            return FileChannel.open(pathOf(id), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new MissingObjectException(id);
        }
    }

    /** Re-hashes a stored object, streaming. */
    public void verify(ObjectId id) throws IOException {
        MessageDigest md = Hashing.sha256();
        try (InputStream in = Files.newInputStream(pathOf(id))) {
            byte[] buf = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new MissingObjectException(id);
        }
        if (!ObjectId.fromBytes(md.digest()).equals(id)) {
            throw new CorruptObjectException(id, "content does not match its id");
        }
    }

    /**
     * Removes an object. The first removal through this instance first gives the store a new
     * {@link #removalEpoch}, so that nobody goes on trusting that what was stored is stored still.
     */
    public boolean delete(ObjectId id) throws IOException {
        if (!epochChanged) {
            Path t = newTemp();
            try {
                Files.writeString(t, Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE));
                Files.move(t, root.resolve(EPOCH), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(t);
            }
            epochChanged = true;
        }
        return Files.deleteIfExists(pathOf(id));
    }

    /**
     * A value that changes whenever an object may have been removed from the store (gc), whichever
     * process or clone removed it: who saw an object stored under the same value saw it stored still.
     * 0 for a store nothing was ever removed from; {@link #UNKNOWN_EPOCH} if the value cannot be read,
     * which matches nothing.
     */
    public long removalEpoch() {
        try {
            return Long.parseLong(Files.readString(root.resolve(EPOCH)).trim());
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException | NumberFormatException e) {
            return UNKNOWN_EPOCH;
        }
    }

    /** Visits every stored object id (names that are not ids are skipped), without holding them all. */
    public void forEach(Consumer<ObjectId> action) throws IOException {
        forEachIn(objects, (id, file) -> action.accept(id));
    }

    /** Receives an object of a fanned-out directory and its file. */
    @FunctionalInterface
    public interface FileVisitor {
        void visit(ObjectId id, Path file) throws IOException;
    }

    /**
     * Visits every object file of a directory fanned out like {@code objects/} ({@code ab/cdef…});
     * other names are passed over, a missing directory has none.
     */
    public static void forEachIn(Path dir, FileVisitor visitor) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> fans = Files.newDirectoryStream(dir)) {
            for (Path fan : fans) {
                String prefix = fan.getFileName().toString();
                if (prefix.length() != 2 || !Files.isDirectory(fan)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(fan)) {
                    for (Path f : files) {
                        String hex = prefix + f.getFileName();
                        if (ObjectId.isValidHex(hex)) {
                            visitor.visit(ObjectId.fromHex(hex), f);
                        }
                    }
                }
            }
        }
    }

    /** Ids that start with the given hex prefix (for short-id resolution of objects). */
    public List<ObjectId> findByPrefix(String hexPrefix) throws IOException {
        List<ObjectId> found = new ArrayList<>();
        if (hexPrefix.length() < 2 || !ObjectId.isHexPrefix(hexPrefix)) {
            return found;
        }
        Path fan = objects.resolve(hexPrefix.substring(0, 2));
        if (!Files.isDirectory(fan)) {
            return found;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(fan)) {
            for (Path f : files) {
                String hex = hexPrefix.substring(0, 2) + f.getFileName();
                if (ObjectId.isValidHex(hex) && hex.startsWith(hexPrefix)) {
                    found.add(ObjectId.fromHex(hex));
                }
            }
        }
        return found;
    }

    /** A fresh temp file on the store's filesystem; the caller moves or deletes it. */
    public Path newTemp() throws IOException {
        Path t = tempPath();
        createTemp(t).close();
        return t;
    }

    private Path tempPath() {
        return tmp.resolve(TEMP_PREFIX + TEMP_COUNTER.incrementAndGet());
    }

    /** Creates the temp file and opens it for writing, in one system call. */
    private FileChannel createTemp(Path t) throws IOException {
        try {
            return FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(tmp);
            return FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    /** Moves a temp file whose content hashes to {@code id} into place (a no-op if already present). */
    public void publish(Path temp, ObjectId id) throws IOException {
        Path target = pathOf(id);
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // The fan-out directory is created on first use, not checked before every move.
                Files.createDirectories(target.getParent());
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(temp);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache at " + root + " does not support atomic moves", e);
        }
    }

    /** Removes temp files left by interrupted writers. Call only while holding the repository lock exclusively. */
    public int clearTemp() throws IOException {
        int n = 0;
        if (Files.isDirectory(tmp)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
                for (Path p : ds) {
                    Files.deleteIfExists(p);
                    n++;
                }
            }
        }
        return n;
    }
}
