package verso.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.CorruptObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Verified objects kept on disk by id, bounded in bytes, shared by every process that uses the
 * directory (two mounts of one remote, a daemon restarted while another runs, {@code verso prefetch}).
 *
 * <p>Design:
 * <ul>
 *   <li>Layout: {@code objects/ab/cdef…} as in the object store, {@code tmp/} for entries being
 *       written, {@code usage}: the bytes of all entries, read and changed only under an exclusive
 *       lock on that file (one JVM lock around it, since a file lock is per process).</li>
 *   <li>Whole entries: an entry is written to a temp file of a unique name, then renamed into place
 *       under the lock, and counted in the same step (an entry already there is not counted again).
 *       Readers open final names only, so none sees a half-written entry; a reader with an entry open
 *       keeps reading it if another process evicts it.</li>
 *   <li>The bound: all processes count in the one shared {@code usage}, so two daemons do not each
 *       fill the whole size. A put that would take it over the bound first evicts least recently used
 *       entries, down to a little under the bound so that evictions come in rounds. The count is
 *       rebuilt from a scan of the directory each time a cache is opened (a daemon starts), which
 *       corrects a process that died between a rename and its count. Temp files are not counted: the
 *       bound is exceeded by at most the entries being written at that moment.</li>
 *   <li>Recency: an entry's modification time is its last use, set on put and on a hit (at most once
 *       a minute per entry, to spare system calls). Each process keeps an index from its scan and its
 *       own puts; eviction takes its oldest entries, skips one whose file another process used since,
 *       and rescans when its index runs out while the usage is still over the bound.</li>
 *   <li>Trust: entries are not synced to disk; a reader checks an entry's bytes against its id the
 *       first time this process reads it ({@link #trusted}, {@link #verified}), and {@link #remove}s
 *       one that does not match.</li>
 *   <li>Failure: if an entry cannot be written (a full or read-only disk), one line is logged and this
 *       process stops writing; entries already there are still read. A directory that cannot be
 *       opened at all is the caller's to report (it reads without a disk cache).</li>
 * </ul>
 */
public final class DiskCache {
    private static final Logger LOG = LoggerFactory.getLogger(DiskCache.class);
    /** The largest default bound. */
    public static final long DEFAULT_MAX = 10L << 30;
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    /** Temp files older than this at open are left by a process that died; newer ones may be in use. */
    static final Duration STALE_TEMP = Duration.ofHours(1);
    private static final String OBJECTS = "objects";

    private final Path root;
    private final Path objects;
    private final Path tmp;
    private final long maxBytes;
    private final Clock clock;
    private final FileChannel usageFile;
    /** One monitor per directory in this JVM: a second file lock on it from this process would throw. */
    private static final Map<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();
    private final Object jvmLock;
    private final Map<ObjectId, Entry> index = new ConcurrentHashMap<>();
    private final Set<ObjectId> verified = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean writable = new AtomicBoolean(true);
    private final LongAdder puts = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** Size and last use (millis) of an entry, as this process knows them. */
    private static final class Entry {
        final long size;
        volatile long used;

        Entry(long size, long used) {
            this.size = size;
            this.used = used;
        }
    }

    private DiskCache(Path root, long maxBytes, Clock clock, FileChannel usageFile) {
        this.root = root;
        this.objects = root.resolve(OBJECTS);
        this.tmp = root.resolve("tmp");
        this.maxBytes = maxBytes;
        this.clock = clock;
        this.usageFile = usageFile;
        this.jvmLock = JVM_LOCKS.computeIfAbsent(root, k -> new Object());
    }

    /** Opens (creating it if needed) the cache at {@code root}, bounded to {@code maxBytes}. */
    public static DiskCache open(Path root, long maxBytes) throws IOException {
        return open(root, maxBytes, Clock.systemUTC());
    }

    static DiskCache open(Path dir, long maxBytes, Clock clock) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("a disk cache needs a positive size");
        }
        Files.createDirectories(dir.resolve(OBJECTS));
        Path root = dir.toRealPath();
        Files.createDirectories(root.resolve("tmp"));
        FileChannel usage = FileChannel.open(root.resolve("usage"), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        DiskCache c = new DiskCache(root, maxBytes, clock, usage);
        try {
            c.locked(() -> {
                c.setUsage(c.rescan());
                c.clearStaleTemps();
                return null;
            });
        } catch (IOException | RuntimeException e) {
            usage.close();
            throw e;
        }
        return c;
    }

    /** The default bound: the smaller of {@link #DEFAULT_MAX} and a quarter of the free space (entries there included). */
    public static long defaultSize(Path root) throws IOException {
        Path existing = root.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new NoSuchFileException(root.toString());
        }
        long held = 0;
        Path usage = root.resolve("usage");
        if (Files.isRegularFile(usage) && Files.size(usage) >= Long.BYTES) {
            held = ByteBuffer.wrap(Files.readAllBytes(usage)).getLong();
        }
        long free = Files.getFileStore(existing).getUsableSpace() + Math.max(0, held);
        return Math.min(DEFAULT_MAX, free / 4);
    }

    public Path root() {
        return root;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The entry for {@code id} opened for reading, or null if there is none. Marks it used. The caller
     * checks its bytes unless {@link #trusted}.
     */
    public FileChannel open(ObjectId id) throws IOException {
        Path p = pathOf(id);
        FileChannel ch;
        try {
            ch = FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            index.remove(id);
            verified.remove(id);
            return null;
        }
        touch(id, p, ch.size());
        return ch;
    }

    /** True if this process has checked the entry's bytes against its id since it opened the cache. */
    public boolean trusted(ObjectId id) {
        return verified.contains(id);
    }

    /** Records that the entry's bytes were checked against its id. */
    public void verified(ObjectId id) {
        verified.add(id);
    }

    /** True if there is an entry for {@code id} (not checked here). */
    public boolean contains(ObjectId id) {
        return Files.exists(pathOf(id));
    }

    /**
     * Stores verified bytes (from position to limit, which are not changed) as the entry for {@code id};
     * false if not stored. Never throws: a cache that cannot be written is logged once and not written
     * again.
     */
    public boolean put(ObjectId id, ByteBuffer bytes) {
        if (!writable.get() || bytes.remaining() > maxBytes / 2) {
            return false; // an entry that large would evict most of the cache for one object
        }
        Path temp = tmp.resolve(UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = bytes.duplicate();
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            long size = bytes.remaining();
            locked(() -> {
                publish(temp, id, size);
                return null;
            });
            verified.add(id);
            puts.increment();
            return true;
        } catch (IOException e) {
            return notWritable(e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temp file is cleared at a later open
            }
        }
    }

    /** What writes an entry's content into its temp file, checking it against the entry's id on the way. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out}; throws, and nothing is stored, if it is not the entry's. */
        void writeTo(WritableByteChannel out) throws IOException;
    }

    /**
     * Stores the entry for {@code id} of {@code size} bytes, streamed by {@code content} into a temp file
     * and published only once {@code content} returned, so the bytes never pass through memory whole
     * ({@code verso prefetch}). False if not stored: the cache cannot be written (logged once, as for
     * {@link #put(ObjectId, ByteBuffer)}) or the entry is too large to keep; {@code content} is then not
     * asked for anything. What {@code content} throws (its source failed, its bytes did not match) is
     * thrown here, and nothing is left behind.
     */
    public boolean put(ObjectId id, long size, Content content) throws IOException {
        if (!writable.get() || size > maxBytes / 2) {
            return false;
        }
        Path temp = tmp.resolve(UUID.randomUUID() + ".tmp");
        try {
            FileChannel out;
            try {
                out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                return notWritable(e);
            }
            try (out) {
                content.writeTo(new TempWrites(out));
                if (out.size() != size) {
                    throw new CorruptObjectException(id, "the content has " + out.size() + " bytes, not " + size);
                }
            } catch (CacheWriteFailure e) {
                return notWritable(e.getCause());
            }
            try {
                locked(() -> {
                    publish(temp, id, size);
                    return null;
                });
            } catch (IOException e) {
                return notWritable(e);
            }
            verified.add(id);
            puts.increment();
            return true;
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temp file is cleared at a later open
            }
        }
    }

    private boolean notWritable(IOException e) {
        if (writable.compareAndSet(true, false)) {
            LOG.warn("cannot write the disk cache {} ({}): keeping new blocks in memory only", root, e.getMessage());
        }
        return false;
    }

    /** A write to a temp file failed: the cache's failure, not the content's. */
    private static final class CacheWriteFailure extends IOException {
        private static final long serialVersionUID = 1L;

        CacheWriteFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** The temp file as {@link Content} sees it: its write failures are told apart from the content's own. */
    private static final class TempWrites implements WritableByteChannel {
        private final FileChannel out;

        TempWrites(FileChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws CacheWriteFailure {
            try {
                return out.write(src);
            } catch (IOException e) {
                throw new CacheWriteFailure(e);
            }
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // the cache closes the file
        }
    }

    /** Deletes the entry for {@code id} (its bytes did not match its id). */
    public void remove(ObjectId id) throws IOException {
        locked(() -> {
            delete(id);
            return null;
        });
        verified.remove(id);
    }

    /** Bytes of all entries, as counted by every process using the directory. */
    public long usage() throws IOException {
        return locked(this::readUsage);
    }

    /** False once a write failed: entries are still read, none written. */
    public boolean writable() {
        return writable.get();
    }

    public Stats stats() {
        return new Stats(puts.sum(), evictions.sum());
    }

    /** Entries this process wrote, and entries it evicted (of any process). */
    public record Stats(long puts, long evictions) {
    }

    private Path pathOf(ObjectId id) {
        return objects.resolve(id.fanoutPath());
    }

    private void touch(ObjectId id, Path p, long size) {
        long now = clock.millis();
        Entry e = index.computeIfAbsent(id, k -> new Entry(size, 0));
        if (now - e.used >= TOUCH_INTERVAL.toMillis()) {
            e.used = now;
            try {
                Files.setLastModifiedTime(p, FileTime.fromMillis(now));
            } catch (IOException ignored) {
                // evicted meanwhile, or a read-only cache: recency is a hint
            }
        }
    }

    /** Under the lock: moves the temp file into place, counts it, and evicts to stay within the bound. */
    private void publish(Path temp, ObjectId id, long size) throws IOException {
        Path target = pathOf(id);
        if (Files.exists(target)) {
            return; // another process put it first: same bytes, counted once
        }
        long usage = readUsage();
        if (usage + size > maxBytes) {
            usage = evict(usage, maxBytes - size - maxBytes / 32);
        }
        Files.setLastModifiedTime(temp, FileTime.fromMillis(clock.millis()));
        try {
            Files.move(temp, target);
        } catch (NoSuchFileException e) {
            Files.createDirectories(target.getParent());
            Files.move(temp, target);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the disk cache at " + root + " does not support atomic moves", e);
        }
        setUsage(usage + size);
        index.put(id, new Entry(size, clock.millis()));
    }

    /**
     * Under the lock: deletes least recently used entries until the usage is at most {@code target}
     * (or nothing is left); returns the new usage. First from this process's index, skipping entries
     * another process used since; then, if still over, from a fresh scan, which sees every process's
     * entries and their times.
     */
    private long evict(long usage, long target) throws IOException {
        for (int round = 0; round < 2 && usage > target; round++) {
            if (round == 1) {
                usage = rescan();
            }
            List<Map.Entry<ObjectId, Entry>> oldest = new ArrayList<>(index.entrySet());
            oldest.sort(Comparator.comparingLong(m -> m.getValue().used));
            for (Map.Entry<ObjectId, Entry> m : oldest) {
                if (usage <= target) {
                    break;
                }
                Path p = pathOf(m.getKey());
                long used = lastModified(p);
                if (used >= 0 && round == 0 && used > m.getValue().used + TOUCH_INTERVAL.toMillis()) {
                    m.getValue().used = used; // another process used it since: not among the oldest
                    continue;
                }
                index.remove(m.getKey());
                verified.remove(m.getKey());
                if (used >= 0) {
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        usage -= size;
                        evictions.increment();
                    }
                }
            }
        }
        usage = Math.max(0, usage);
        setUsage(usage);
        return usage;
    }

    private static long lastModified(Path p) throws IOException {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** Under the lock: rebuilds the index from the directory; returns the bytes of all entries. */
    private long rescan() throws IOException {
        long[] total = {0};
        index.clear();
        ObjectStore.forEachIn(objects, (id, f) -> {
            try {
                long size = Files.size(f);
                long used = Files.getLastModifiedTime(f).toMillis();
                total[0] += size;
                index.put(id, new Entry(size, used));
            } catch (NoSuchFileException e) {
                // removed by another process meanwhile
            }
        });
        return total[0];
    }

    private void clearStaleTemps() throws IOException {
        long before = clock.millis() - STALE_TEMP.toMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                if (lastModified(p) < before) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void delete(ObjectId id) throws IOException {
        Path p = pathOf(id);
        long size = lastModified(p) < 0 ? 0 : Files.size(p);
        if (Files.deleteIfExists(p)) {
            setUsage(Math.max(0, readUsage() - size));
        }
        index.remove(id);
    }

    private long readUsage() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES);
        while (b.hasRemaining()) {
            if (usageFile.read(b, b.position()) < 0) {
                return 0;
            }
        }
        return b.flip().getLong();
    }

    private void setUsage(long bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Long.BYTES).putLong(0, bytes);
        while (b.hasRemaining()) {
            usageFile.write(b, b.position());
        }
    }

    private interface Step<T> {
        T run() throws IOException;
    }

    /** Runs {@code step} holding the JVM lock and the file lock on {@code usage}. */
    private <T> T locked(Step<T> step) throws IOException {
        synchronized (jvmLock) {
            try (FileLock ignored = usageFile.lock()) {
                return step.run();
            }
        }
    }
}
