package verso.store;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
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
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A directory of objects by id: loose, one file each ({@code objects/ab/cdef...}), or small ones in
 * local packs ({@code packs/}, see {@link LocalPacks}) while a writer has {@link #packing} on. Every
 * write goes to a temp file in {@code tmp/} on the same filesystem and is moved into place atomically
 * once its bytes are known to hash to the id, so a reader never sees a partial object under its final
 * name. Objects are immutable: an insert of an object already present writes nothing.
 */
public final class ObjectStore {
    private static final int COPY_BUFFER = 1 << 16;
    /** Temp names unique across processes (pid) and threads (counter) without a random source. */
    private static final String TEMP_PREFIX = ProcessHandle.current().pid() + "-" + System.nanoTime() + "-";
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    /** The file holding {@link #removalEpoch}. */
    private static final String EPOCH = "removal-epoch";
    public static final long UNKNOWN_EPOCH = -1;
    /**
     * Objects smaller than this are packed, locally while {@link #packing} is on and on remotes; larger
     * ones (the blocks of large files) stay loose.
     */
    public static final int PACKED_BELOW = 1 << 20;

    private final Path root;
    private final Path objects;
    private volatile boolean epochChanged;
    private final Path tmp;
    private final LocalPacks packs;
    private volatile Packing packing;

    public ObjectStore(Path root) {
        this.root = root;
        this.objects = root.resolve("objects");
        this.tmp = root.resolve("tmp");
        this.packs = new LocalPacks(root.resolve("packs"), this::newTemp);
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

    /**
     * Whether the store holds {@code id}. Packs another process published since this one last listed
     * them are not looked for: a writer that misses one writes the object again, which is harmless.
     */
    public boolean contains(ObjectId id) {
        return size(id) >= 0;
    }

    /** The stored size, or -1 if absent (see {@link #contains}). */
    public long size(ObjectId id) {
        Packing p = packing;
        long size = p == null ? -1 : p.size(id);
        if (size >= 0) {
            return size;
        }
        try {
            LocalPacks.Location at = packs.locate(id, false);
            return at != null ? at.size() : Files.size(pathOf(id));
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Turns packing on until the handle is closed: objects smaller than {@link #PACKED_BELOW} written
     * through this store meanwhile go into local packs, not files of their own, and closing publishes them
     * (as does each pack that fills up). They can be read back before. The caller closes it before it
     * writes anything outside the store that refers to them (a version, the workspace index).
     */
    public synchronized Packing packing() throws IOException {
        if (packing != null) {
            throw new IllegalStateException("the store is packing already");
        }
        packing = new Packing(packs.writer());
        return packing;
    }

    /** Packing on: see {@link ObjectStore#packing}. Thread-safe. */
    public final class Packing implements Closeable {
        private LocalPacks.Writer writer;

        private Packing(LocalPacks.Writer writer) {
            this.writer = writer;
        }

        private synchronized void add(ObjectId id, ByteBuffer bytes) throws IOException {
            if (writer.add(id, bytes) && writer.full()) {
                writer.publish();
                writer = packs.writer();
            }
        }

        private synchronized long size(ObjectId id) {
            return writer.size(id);
        }

        private synchronized byte[] read(ObjectId id) throws IOException {
            return writer.read(id);
        }

        /** Publishes what was packed, and turns packing off. */
        @Override
        public void close() throws IOException {
            synchronized (ObjectStore.this) {
                synchronized (this) {
                    if (packing == this) {
                        packing = null;
                    }
                    writer.publish();
                }
            }
        }
    }

    /** Stores bytes that hash to {@code id} unless it is stored: in a pack if packing is on and it is small. */
    private void store(ObjectId id, ByteBuffer data) throws IOException {
        if (contains(id)) {
            return;
        }
        Packing p = packing;
        if (p != null && data.remaining() < PACKED_BELOW) {
            p.add(id, data);
            return;
        }
        ByteBuffer bb = data.duplicate();
        write(id, out -> {
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            return id;
        });
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
        store(id, data);
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
            Packing p = packing;
            if (p != null && Files.size(t) < PACKED_BELOW) {
                store(actual, ByteBuffer.wrap(Files.readAllBytes(t)));
                return actual;
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
        store(expected, ByteBuffer.wrap(data));
    }

    /** Reads a whole object and checks its hash. Meant for objects that fit in memory (at most a block). */
    public byte[] read(ObjectId id) throws IOException {
        try (Stored s = openStored(id)) {
            return verified(id, s.bytes());
        }
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
        try (Stored s = openStored(id)) {
            if (s.size() != size) {
                throw new CorruptObjectException(id, "its " + s.size() + " bytes do not match the " + size
                        + " its tree or block index says");
            }
            return verified(id, s.bytes());
        }
    }

    /**
     * An object's bytes as stored, not yet verified: a stream of {@code size} bytes. Closing it closes
     * the object's file if it is loose.
     */
    public record Stored(InputStream in, long size, ObjectId id) implements Closeable {
        /** All the bytes, if they are fewer than 2 GiB. */
        public byte[] bytes() throws IOException {
            if (size > Integer.MAX_VALUE - 8) {
                throw new CorruptObjectException(id, "it is too large to be read whole (" + size + " bytes)");
            }
            byte[] b = in.readNBytes((int) size);
            if (b.length != size) {
                throw new CorruptObjectException(id, "it ended after " + b.length + " of its " + size + " bytes");
            }
            return b;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Opens an object as stored, for the caller to verify: from the pack being written, a pack or its
     * file; the packs are listed again before it is declared missing.
     */
    public Stored openStored(ObjectId id) throws IOException {
        Packing p = packing;
        byte[] pending = p == null ? null : p.read(id);
        if (pending != null) {
            return new Stored(new ByteArrayInputStream(pending), pending.length, id);
        }
        LocalPacks.Location at = packs.locate(id, false);
        if (at == null) {
            try {
                FileChannel ch = FileChannel.open(pathOf(id), StandardOpenOption.READ);
                return new Stored(Channels.newInputStream(ch), ch.size(), id);
            } catch (NoSuchFileException e) {
                at = packs.locate(id, true);
                if (at == null) {
                    throw new MissingObjectException(id);
                }
            }
        }
        return new Stored(LocalPacks.stream(at.pack().channel(), at.offset(), at.size()), at.size(), id);
    }

    /** Re-hashes a stored object, streaming. */
    public void verify(ObjectId id) throws IOException {
        try (Stored s = openStored(id)) {
            Hashing.decodeVerified(id, s.in(), in -> in.transferTo(OutputStream.nullOutputStream()), "content");
        }
    }

    /**
     * Removes objects: their files, and from the packs that hold them (a pack that holds others too is
     * written again without them, then removed). The first removal through this instance first gives the
     * store a new {@link #removalEpoch}, so that nobody goes on trusting that what was stored is stored
     * still. Not while packing is on.
     */
    public void delete(Set<ObjectId> doomed) throws IOException {
        if (doomed.isEmpty()) {
            return;
        }
        newEpoch();
        for (ObjectId id : doomed) {
            Files.deleteIfExists(pathOf(id));
        }
        for (LocalPacks.Pack p : packs.relist()) {
            List<ObjectId> ids = p.index().ids();
            long dead = ids.stream().filter(doomed::contains).count();
            if (dead == 0) {
                continue;
            }
            if (dead < ids.size()) {
                try (Packing kept = new Packing(packs.writer())) {
                    for (int i = 0; i < ids.size(); i++) {
                        ObjectId id = ids.get(i);
                        if (!doomed.contains(id)) {
                            long size = p.index().size(i);
                            if (size >= PACKED_BELOW) {
                                throw new CorruptObjectException(id, "a local pack says it is " + size + " bytes");
                            }
                            byte[] bytes = LocalPacks.read(p.channel(), p.index().offset(i), (int) size, id);
                            kept.add(id, ByteBuffer.wrap(bytes));
                        }
                    }
                }
            }
            packs.remove(p);
        }
    }

    /**
     * What is wrong with the local packs themselves, one line each: an index that cannot be used (its
     * objects count as missing), or one whose table is inconsistent. Objects are checked by {@link #verify}.
     */
    public List<String> packProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        for (LocalPacks.Pack p : packs.relist()) {
            String why = p.index().check();
            if (why != null) {
                problems.add("pack " + p.id().shortHex() + ": its index is damaged: " + why);
            }
        }
        packs.damaged().forEach((name, why) -> problems.add("pack index packs/" + name + " is passed over: " + why
                + "; the objects it held count as missing"));
        return problems;
    }

    private void newEpoch() throws IOException {
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

    /**
     * Visits every stored object id (names that are not ids are skipped), without holding them all: the
     * loose ones, then the packed ones (an object stored twice is visited twice).
     */
    public void forEach(Consumer<ObjectId> action) throws IOException {
        forEachIn(objects, (id, file) -> action.accept(id));
        for (LocalPacks.Pack p : packs.relist()) {
            p.index().ids().forEach(action);
        }
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
        moveIntoPlace(temp, pathOf(id), root);
    }

    /**
     * Moves a temp file of the cache at {@code root} to {@code target}, a name given by its content (a file
     * already there has the same bytes).
     */
    static void moveIntoPlace(Path temp, Path target, Path root) throws IOException {
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // The directory is created on first use, not checked before every move.
                Files.createDirectories(target.getParent());
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(temp);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache at " + root + " does not support atomic moves", e);
        }
    }

    /**
     * Removes what interrupted writers left: temp files, and packs whose index was never moved into place.
     * Call only while holding the repository lock exclusively.
     */
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
        return n + packs.clearUnindexed();
    }
}
