package verso.fs.jnr;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.cache.Block;
import verso.fs.Attributes;
import verso.fs.Errno;
import verso.fs.FsException;
import verso.fs.FsUsage;
import verso.fs.VersoFileSystem;
import verso.read.ContentSource;
import verso.store.DaemonThreads;
import verso.store.TreeEntry;

/**
 * Serves a {@link VersoFileSystem} over a mounted FUSE connection, speaking the kernel's protocol
 * ({@code linux/fuse.h}) directly: requests are read from the device into native memory, decoded in
 * place, and each reply is written back in one call. A read's reply is gathered ({@code writev}) from
 * its header and the verified blocks themselves, held until the kernel has taken the bytes: the
 * daemon copies none of them.
 *
 * <p>Why not libfuse's loop: libfuse 2 cannot answer READDIRPLUS or take reads larger than 128 KiB,
 * and its high-level API turns every request into a callback through native code and a
 * {@code struct stat} built from Java objects. Here:
 * <ul>
 *   <li>a listing carries its entries' nodes and attributes (READDIRPLUS, in the kernel's adaptive
 *       mode), so reading the files of a listed folder costs one request a file (the read), not
 *       two;</li>
 *   <li>reads come in up to {@link #MAX_READ} bytes (FUSE_MAX_PAGES);</li>
 *   <li>opens and releases of files are declined (ENOSYS, protocol 7.23 on), so the kernel sends
 *       none and keeps the page cache across opens; directories inside a version are opened with the
 *       kernel's directory cache, since they never change, and the top-level ones without it, so new
 *       versions appear at once;</li>
 *   <li>a read finds its file by its node: the entries of the files looked up last are kept by node
 *       (see {@link #known}), so reading a listed folder's files resolves no path;</li>
 *   <li>names are cached by the kernel for {@link #CACHE_SECONDS}, failed lookups not at all, and
 *       symlink targets are asked for afresh every time ({@code latest} and tags move);</li>
 *   <li>the nodes the kernel holds stay within a budget: past it, the kernel is asked to drop the
 *       names used least recently (see {@link #trim}).</li>
 * </ul>
 *
 * <p>Threads are started as requests need them, up to {@link #THREADS}: a worker that takes a request
 * while no other waits on the device starts another. The kernel hands each request to the worker
 * that has waited longest, so a fixed crowd of idle workers would pass one reader's requests around
 * all of them, each waking on a cold cache.
 */
final class FuseSession {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);
    private static final MemoryIO NATIVE = MemoryIO.getInstance();

    /** The most threads serving requests at once. */
    private static final int THREADS = 16;
    /** Seconds the kernel may keep a name and its attributes: nothing a lookup returns changes. */
    private static final long CACHE_SECONDS = 3600;
    /** Pages of 4 KiB in the largest read the kernel is asked to send. */
    private static final int MAX_PAGES = 256;
    static final int MAX_READ = MAX_PAGES * 4096;
    /** The protocol version spoken (the kernel's, if older, is used instead). */
    private static final int MAJOR = 7, MINOR = 38;
    /** From this minor version on, a file system may decline opens and releases of files (Linux 3.14). */
    private static final int NO_OPEN_MINOR = 23;
    private static final int MAX_WRITE = 4096;
    /** Larger than any request of a read-only mount: the kernel wants 8 KiB and header + MAX_WRITE. */
    private static final int REQUEST_BYTES = 16 * 1024;

    // opcodes
    private static final int LOOKUP = 1, FORGET = 2, GETATTR = 3, SETATTR = 4, READLINK = 5, SYMLINK = 6,
            MKNOD = 8, MKDIR = 9, UNLINK = 10, RMDIR = 11, RENAME = 12, LINK = 13, OPEN = 14, READ = 15,
            WRITE = 16, STATFS = 17, RELEASE = 18, SETXATTR = 21, REMOVEXATTR = 24, FLUSH = 25, INIT = 26,
            OPENDIR = 27, READDIR = 28, RELEASEDIR = 29, CREATE = 35, INTERRUPT = 36, DESTROY = 38,
            NOTIFY_REPLY = 41, BATCH_FORGET = 42, FALLOCATE = 43, READDIRPLUS = 44, RENAME2 = 45,
            COPY_FILE_RANGE = 47, TMPFILE = 51;
    // INIT flags
    private static final int ASYNC_READ = 1, DO_READDIRPLUS = 1 << 13, READDIRPLUS_AUTO = 1 << 14,
            PARALLEL_DIROPS = 1 << 18, MAX_PAGES_FLAG = 1 << 22;
    // open flags in replies
    private static final int FOPEN_KEEP_CACHE = 1 << 1, FOPEN_CACHE_DIR = 1 << 3;
    private static final int ENOSYS = 38, EPROTO = 71;
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
    /** The inode number of an entry in a plain listing, as libfuse gives it: the kernel assigns its own. */
    private static final long UNKNOWN_INO = 0xffffffffL;

    /** About what a known file costs on the heap: its slot, its entry, the entry's name and id. */
    private static final int BYTES_PER_KNOWN = 256;

    /** Offsets: fuse_in_header is 40 bytes, fuse_out_header 16. */
    private static final int IN = 40, OUT = 16;
    /** The notification that drops a name from the kernel's cache, and its largest message. */
    private static final int NOTIFY_INVAL_ENTRY = 3, NOTIFY_BYTES = OUT + 16 + VersoFileSystem.NAME_MAX + 1;
    private static final int ATTR_BYTES = 88, ENTRY_BYTES = 40 + ATTR_BYTES, DIRENT_NAME = 24;

    private final VersoFileSystem fs;
    private final FuseDevice device;
    private final int uid;
    private final int gid;
    private final NodeTable nodes = new NodeTable();
    /**
     * The file entries of nodes looked up lately, at {@code node % slots} (a newer node in the same
     * slot replaces an older one). A read of a node found here needs no path: a file of a version
     * never changes. Written at each lookup before its reply, so a node id the kernel was given
     * again, for another name, never finds the entry of the name it had before. Bounded (see
     * {@link #knownSlots}), so the entries kept cost no more heap however many nodes the kernel
     * holds; node ids are handed out densely, so a tree listed whole before it is read (as
     * {@code find | xargs cat} does) finds its files here if it has no more files than slots.
     */
    private final AtomicReferenceArray<Known> known =
            new AtomicReferenceArray<>(knownSlots(Runtime.getRuntime().maxMemory()));
    /** Nodes the kernel may hold before it is asked to drop the least recently used. */
    private final int nodeBudget;
    private final AtomicBoolean trimming = new AtomicBoolean();
    private final ExecutorService trimmer = Executors.newSingleThreadExecutor(DaemonThreads.named("verso-fuse-trim"));
    private volatile boolean noOpen;
    private volatile boolean exited;
    private final ThreadFactory threads = DaemonThreads.numbered("verso-fuse");
    private final List<Thread> started = new ArrayList<>();
    /** Workers waiting for a request. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Requests taken, by opcode. */
    private final AtomicLongArray requests = new AtomicLongArray(64);
    /** Reads of a node whose file entry was not known, so its path was resolved. */
    private final AtomicLong readsByPath = new AtomicLong();
    /** Bytes of reads copied into a reply rather than written from their blocks. */
    private final AtomicLong copiedBytes = new AtomicLong();

    FuseSession(VersoFileSystem fs, FuseDevice device, long uid, long gid, int nodeBudget) {
        this.fs = fs;
        this.device = device;
        this.nodeBudget = nodeBudget;
        this.uid = (int) uid;
        this.gid = (int) gid;
    }

    /** Serves until the file system is unmounted and every worker has stopped. */
    void serve() throws InterruptedException {
        start();
        try {
            for (int joined = 0; ; joined++) {
                Thread next;
                synchronized (started) {
                    if (joined == started.size()) {
                        return;
                    }
                    next = started.get(joined);
                }
                next.join();
            }
        } finally {
            trimmer.shutdownNow();
        }
    }

    /**
     * One line for the daemon log: requests taken by kind, the reads that resolved a path, the bytes
     * read that were copied into a reply, and the nodes the kernel holds.
     */
    String stats() {
        StringBuilder b = new StringBuilder("fuse requests:");
        for (int op = 0; op < requests.length(); op++) {
            long n = requests.get(op);
            if (n > 0) {
                b.append(' ').append(name(op)).append('=').append(n);
            }
        }
        return b.append(" readByPath=").append(readsByPath.get()).append(" copied=").append(copiedBytes.get())
                .append(" nodes=").append(nodes.size()).toString();
    }

    /** Starts a worker unless {@link #THREADS} have been started. */
    private void start() {
        synchronized (started) {
            if (started.size() < THREADS && !exited) {
                Thread t = threads.newThread(new Worker()::work);
                waiting.incrementAndGet(); // counted from now, so two takers do not both start one
                started.add(t);
                t.start();
            }
        }
    }

    /**
     * One thread's buffers, in native memory: the request read, the reply written, and the pieces of a
     * read's reply. The reply buffer has room for a whole read, but a read's bytes are copied there
     * only when they cannot be written from their blocks, so its pages are mostly never touched.
     */
    private final class Worker {
        final long inAddress = NATIVE.allocateMemory(REQUEST_BYTES, false);
        final ByteBuffer in = NATIVE.newDirectByteBuffer(inAddress, REQUEST_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        final long outAddress = NATIVE.allocateMemory(OUT + MAX_READ, false);
        final ByteBuffer out = NATIVE.newDirectByteBuffer(outAddress, OUT + MAX_READ).order(ByteOrder.LITTLE_ENDIAN);
        final Gather gather = new Gather(this);

        void work() {
            try {
                while (!exited) {
                    int n = device.read(inAddress, REQUEST_BYTES);
                    if (n < 0) {
                        int errno = -n;
                        if (errno == FuseDevice.EINTR || errno == FuseDevice.EAGAIN || errno == FuseDevice.ENOENT) {
                            continue; // interrupted, or the request was withdrawn
                        }
                        if (errno != FuseDevice.ENODEV) {
                            LOG.warn("reading the FUSE device failed (errno {}); stopping", errno);
                        }
                        exited = true; // ENODEV: unmounted; the other workers see the same
                        return;
                    }
                    if (waiting.decrementAndGet() == 0) {
                        start(); // nobody else waits: the next request would wait for this one
                    }
                    handle(this, n);
                    waiting.incrementAndGet();
                }
            } finally {
                waiting.decrementAndGet();
                NATIVE.freeMemory(inAddress);
                NATIVE.freeMemory(outAddress);
                NATIVE.freeMemory(gather.iov);
            }
        }
    }

    /**
     * The pieces of a read's reply ({@code struct iovec}s): the header, then each range of a block as
     * the file system hands it over, held until the reply is written. A range that is not in native
     * memory, or that comes when the pieces are all used but the last, is copied into the reply
     * buffer instead, and the last piece covers those copies.
     */
    private static final class Gather implements ContentSource.Ranges {
        /** Pieces of one reply: enough for a read of {@link #MAX_READ} over blocks of 64 KiB or more. */
        static final int PIECES = 32;
        final long iov = NATIVE.allocateMemory(PIECES * 16L, false);
        private final Block[] held = new Block[PIECES];
        private final long dataAddress;
        private final ByteBuffer data;
        private int count;
        private int copied;

        Gather(Worker w) {
            this.dataAddress = w.outAddress + OUT;
            this.data = w.out.duplicate().position(OUT).slice();
            NATIVE.putLong(iov, w.outAddress);
            NATIVE.putLong(iov + 8, OUT);
        }

        /** Starts a reply: no pieces but the header. */
        void reset() {
            count = 1;
            copied = 0;
        }

        @Override
        public void add(Block block, int from, int length) {
            ByteBuffer bytes = block.bytes();
            if (bytes.isDirect() && count < PIECES - 1) {
                piece(NATIVE.getDirectBufferAddress(bytes) + from, length);
                held[count++] = block;
                return;
            }
            try {
                data.put(copied, bytes, from, length);
            } finally {
                block.release();
            }
            if (count > 1 && held[count - 1] == null) { // the last piece is the copies, which end where this starts
                long lastLength = iov + (count - 1) * 16L + 8;
                NATIVE.putLong(lastLength, NATIVE.getLong(lastLength) + length);
            } else {
                piece(dataAddress + copied, length);
                count++;
            }
            copied += length;
        }

        private void piece(long address, long length) {
            NATIVE.putLong(iov + count * 16L, address);
            NATIVE.putLong(iov + count * 16L + 8, length);
        }

        /** Lets go of the blocks of the reply. */
        void release() {
            for (int i = 1; i < count; i++) {
                if (held[i] != null) {
                    held[i].release();
                    held[i] = null;
                }
            }
        }
    }

    private void handle(Worker w, int length) {
        ByteBuffer in = w.in;
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long node = in.getLong(16);
        if (opcode >= 0 && opcode < requests.length()) {
            requests.incrementAndGet(opcode);
        }
        switch (opcode) {
            case FORGET -> {
                nodes.forget(node, in.getLong(IN));
                return;
            }
            case BATCH_FORGET -> {
                int count = in.getInt(IN);
                for (int i = 0, at = IN + 8; i < count && at + 16 <= length; i++, at += 16) {
                    nodes.forget(in.getLong(at), in.getLong(at + 8));
                }
                return;
            }
            case INTERRUPT, NOTIFY_REPLY -> {
                return; // no reply: a request, once taken, is answered
            }
            default -> {
            }
        }
        ByteBuffer out = w.out;
        int error = 0;
        int size;
        w.gather.reset();
        try {
            size = OUT + answer(w, opcode, node, length);
        } catch (FsException e) {
            if (e.errno() == Errno.EIO) {
                LOG.warn("{} {}: {}", name(opcode), describe(node), e.getMessage());
            }
            error = -e.errno().linux();
            size = OUT;
        } catch (NotSupported e) {
            error = -e.errno;
            size = OUT;
        } catch (RuntimeException | Error e) {
            LOG.error("{} {} failed: {}", name(opcode), describe(node), e.toString());
            error = -Errno.EIO.linux();
            size = OUT;
        }
        out.putInt(0, size).putInt(4, error).putLong(8, unique);
        int written;
        try {
            if (opcode == READ && error == 0) {
                written = device.writev(w.gather.iov, w.gather.count);
                copiedBytes.addAndGet(w.gather.copied);
            } else {
                written = device.write(w.outAddress, size);
            }
        } finally {
            w.gather.release();
        }
        if (written < 0 && -written != FuseDevice.ENOENT) { // ENOENT: the request was interrupted meanwhile
            LOG.warn("replying to {} failed (errno {})", name(opcode), -written);
        }
        if ((opcode == LOOKUP || opcode == READDIRPLUS) && nodes.kept() > nodeBudget
                && trimming.compareAndSet(false, true)) {
            trimmer.execute(this::trim);
        }
    }

    /**
     * Asks the kernel to drop the names it has used least recently, down to seven eighths of the
     * budget (FUSE_NOTIFY_INVAL_ENTRY), so that the node table stays bounded however many files
     * are read: the kernel then forgets their nodes, as it would under memory pressure, and looks a
     * name up again if it is used again. Runs on its own thread: the kernel takes the folder's lock
     * for it, which a request being answered in that folder may hold.
     */
    private void trim() {
        long address = NATIVE.allocateMemory(NOTIFY_BYTES, false);
        ByteBuffer b = NATIVE.newDirectByteBuffer(address, NOTIFY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (NodeTable.Entry e : nodes.leastRecentlyUsed(nodes.kept() - nodeBudget / 8 * 7)) {
                int size = OUT + 16 + e.name().length + 1;
                b.putInt(0, size).putInt(4, NOTIFY_INVAL_ENTRY).putLong(8, 0)
                        .putLong(OUT, e.parent()).putInt(OUT + 8, e.name().length).putInt(OUT + 12, 0)
                        .put(OUT + 16, e.name()).put(size - 1, (byte) 0);
                int written = device.write(address, size);
                if (written < 0 && -written != FuseDevice.ENOENT) { // ENOENT: the kernel had dropped it already
                    LOG.debug("asking the kernel to drop a name failed (errno {})", -written);
                }
            }
        } finally {
            NATIVE.freeMemory(address);
            trimming.set(false);
        }
    }

    /** Slots of {@link #known} in a heap of {@code maxHeap} bytes: a twentieth of it (about 26,000 in 128 MiB). */
    static int knownSlots(long maxHeap) {
        return (int) Math.max(4096, Math.min(1 << 20, maxHeap / 20 / BYTES_PER_KNOWN));
    }

    /** A node and the entry of the file it names (null if it names no file of a version). */
    private record Known(long node, TreeEntry file) {
    }

    /** The node that names {@code name} in {@code parent} (counted as a lookup), its file entry remembered. */
    private long lookup(long parent, byte[] name, Attributes a) {
        long id = nodes.lookup(parent, name);
        known.set((int) (id % known.length()), new Known(id, a.file()));
        return id;
    }

    /** The file entry of {@code node} if it is known, else null. */
    private TreeEntry file(long node) {
        Known k = known.get((int) (node % known.length()));
        return k != null && k.node == node ? k.file : null;
    }

    /** An error the protocol itself answers with (no operation behind it). */
    private static final class NotSupported extends RuntimeException {
        final int errno;

        NotSupported(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    /** Answers one request into the reply after its header; returns the reply's length past the header. */
    private int answer(Worker w, int opcode, long node, int length) throws FsException {
        ByteBuffer in = w.in;
        ByteBuffer out = w.out;
        return switch (opcode) {
            case INIT -> init(in, out);
            case LOOKUP -> {
                byte[] name = new byte[length - IN - 1]; // NUL-terminated
                in.get(IN, name);
                String parent = nodes.path(node);
                Attributes a = fs.getattr(child(parent, new String(name, StandardCharsets.UTF_8)));
                long id = lookup(node, name, a);
                putEntry(out, OUT, id, a);
                yield ENTRY_BYTES;
            }
            case GETATTR -> {
                Attributes a = fs.getattr(nodes.path(node));
                out.putLong(OUT, CACHE_SECONDS).putInt(OUT + 8, 0).putInt(OUT + 12, 0);
                putAttr(out, OUT + 16, node, a);
                yield 16 + ATTR_BYTES;
            }
            case READLINK -> {
                byte[] target = fs.readlink(nodes.path(node)).getBytes(StandardCharsets.UTF_8);
                if (target.length > MAX_READ) {
                    throw new FsException(Errno.ENAMETOOLONG, "symlink target too long");
                }
                out.put(OUT, target);
                yield target.length;
            }
            case OPEN -> {
                if (noOpen) {
                    throw new NotSupported(ENOSYS);
                }
                long fh = fs.open(nodes.path(node), in.getInt(IN));
                out.putLong(OUT, fh).putInt(OUT + 8, FOPEN_KEEP_CACHE).putInt(OUT + 12, 0);
                yield 16;
            }
            case READ -> {
                long fh = in.getLong(IN);
                long offset = in.getLong(IN + 8);
                int size = Math.min(in.getInt(IN + 16), MAX_READ);
                if (fh != 0) {
                    yield fs.read(fh, offset, size, w.gather);
                }
                TreeEntry file = file(node);
                if (file != null) {
                    yield fs.read(file, offset, size, w.gather);
                }
                readsByPath.incrementAndGet();
                yield fs.read(nodes.path(node), offset, size, w.gather);
            }
            case RELEASE -> {
                fs.release(in.getLong(IN));
                yield 0;
            }
            case STATFS -> statfs(out);
            case OPENDIR -> {
                // a version never changes, so the kernel may keep its listings; the top level changes
                boolean immutable = nodes.path(node).startsWith("/versions/");
                int flags = immutable ? FOPEN_CACHE_DIR | FOPEN_KEEP_CACHE : 0;
                out.putLong(OUT, 0).putInt(OUT + 8, flags).putInt(OUT + 12, 0);
                yield 16;
            }
            case READDIR, READDIRPLUS -> readdir(in, out, node, opcode == READDIRPLUS);
            case RELEASEDIR, DESTROY -> 0;
            case SETATTR, SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR, RENAME, LINK, WRITE, SETXATTR, REMOVEXATTR,
                 CREATE, FALLOCATE, RENAME2, COPY_FILE_RANGE, TMPFILE ->
                    throw new FsException(Errno.EROFS, "read-only file system");
            default -> throw new NotSupported(ENOSYS); // the kernel remembers and asks no more
        };
    }

    private int init(ByteBuffer in, ByteBuffer out) {
        int major = in.getInt(IN);
        int minor = in.getInt(IN + 4);
        int maxReadahead = in.getInt(IN + 8);
        int offered = in.getInt(IN + 12);
        if (major < MAJOR) {
            throw new NotSupported(EPROTO);
        }
        int spoken = major > MAJOR ? MINOR : Math.min(minor, MINOR);
        noOpen = major > MAJOR || minor >= NO_OPEN_MINOR;
        int flags = offered & (ASYNC_READ | DO_READDIRPLUS | READDIRPLUS_AUTO | PARALLEL_DIROPS | MAX_PAGES_FLAG);
        LOG.debug("FUSE protocol {}.{}, flags {} of {}", major, minor, Integer.toHexString(flags),
                Integer.toHexString(offered));
        out.putInt(OUT, MAJOR).putInt(OUT + 4, spoken).putInt(OUT + 8, maxReadahead).putInt(OUT + 12, flags)
                .putShort(OUT + 16, (short) 0).putShort(OUT + 18, (short) 0) // background: the kernel's default
                .putInt(OUT + 20, MAX_WRITE).putInt(OUT + 24, 1) // time granularity: 1 ns
                .putShort(OUT + 28, (short) ((flags & MAX_PAGES_FLAG) != 0 ? MAX_PAGES : 0))
                .putShort(OUT + 30, (short) 0);
        for (int at = OUT + 32; at < OUT + 64; at += 4) {
            out.putInt(at, 0);
        }
        return minor < NO_OPEN_MINOR && major == MAJOR ? 24 : 64; // older kernels take the shorter reply
    }

    private int statfs(ByteBuffer out) {
        FsUsage u = fs.statfs();
        long blocks = (u.totalBytes() + u.blockSize() - 1) / u.blockSize();
        out.putLong(OUT, blocks).putLong(OUT + 8, 0).putLong(OUT + 16, 0)
                .putLong(OUT + 24, u.totalFiles()).putLong(OUT + 32, 0)
                .putInt(OUT + 40, u.blockSize()).putInt(OUT + 44, u.nameMax()).putInt(OUT + 48, u.blockSize());
        for (int at = OUT + 52; at < OUT + 80; at += 4) {
            out.putInt(at, 0);
        }
        return 80;
    }

    /**
     * A listing from position {@code offset} ("." is 0, ".." 1, the directory's entries from 2), as
     * many entries as fit in the size asked for. With {@code plus} each entry also carries its node
     * and attributes, and the kernel counts that as a lookup.
     */
    private int readdir(ByteBuffer in, ByteBuffer out, long node, boolean plus) throws FsException {
        long offset = in.getLong(IN + 8);
        int limit = OUT + Math.min(in.getInt(IN + 16), MAX_READ);
        String path = nodes.path(node);
        int[] at = {OUT};
        long[] position = {offset};
        if (offset == 0 && !putDirent(out, at, limit, ++position[0], ".", null, node, plus)) {
            return 0;
        }
        if (position[0] == 1 && !putDirent(out, at, limit, ++position[0], "..", null, node, plus)) {
            return at[0] - OUT;
        }
        fs.readdir(path, position[0] - 2,
                e -> putDirent(out, at, limit, ++position[0], e.name(), e.attributes(), node, plus));
        return at[0] - OUT;
    }

    /**
     * Appends one entry if it fits; {@code attributes} is null for "." and "..", which the kernel
     * resolves itself. A name longer than a file system allows is passed over. False once full.
     */
    private boolean putDirent(ByteBuffer out, int[] at, int limit, long next, String name, Attributes attributes,
                              long dir, boolean plus) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > VersoFileSystem.NAME_MAX) {
            return true;
        }
        int start = at[0];
        int header = plus ? ENTRY_BYTES : 0;
        int record = (header + DIRENT_NAME + utf8.length + 7) & ~7;
        if (start + record > limit) {
            return false;
        }
        long ino = UNKNOWN_INO;
        int type = S_IFDIR;
        if (attributes != null) {
            type = typeBits(attributes);
        }
        if (plus) {
            if (attributes == null) {
                for (int i = 0; i < ENTRY_BYTES; i += 8) {
                    out.putLong(start + i, 0); // no node: the kernel links nothing for it
                }
            } else {
                ino = lookup(dir, utf8, attributes);
                putEntry(out, start, ino, attributes);
            }
        }
        int d = start + header;
        out.putLong(d, ino).putLong(d + 8, next).putInt(d + 16, utf8.length).putInt(d + 20, type >>> 12);
        out.put(d + DIRENT_NAME, utf8);
        for (int i = d + DIRENT_NAME + utf8.length; i < start + record; i++) {
            out.put(i, (byte) 0);
        }
        at[0] = start + record;
        return true;
    }

    /** fuse_entry_out: the node, its generation (0: ids are not exported), how long to cache, the attributes. */
    private void putEntry(ByteBuffer out, int at, long id, Attributes a) {
        out.putLong(at, id).putLong(at + 8, 0).putLong(at + 16, CACHE_SECONDS).putLong(at + 24, CACHE_SECONDS)
                .putInt(at + 32, 0).putInt(at + 36, 0);
        putAttr(out, at + 40, id, a);
    }

    /** fuse_attr: ino, size, blocks, three times, their nanoseconds, mode, nlink, uid, gid, rdev, blksize, flags. */
    private void putAttr(ByteBuffer out, int at, long ino, Attributes a) {
        long seconds = a.time().getEpochSecond();
        int nanos = a.time().getNano();
        out.putLong(at, ino).putLong(at + 8, a.size()).putLong(at + 16, (a.size() + 511) / 512)
                .putLong(at + 24, seconds).putLong(at + 32, seconds).putLong(at + 40, seconds)
                .putInt(at + 48, nanos).putInt(at + 52, nanos).putInt(at + 56, nanos)
                .putInt(at + 60, typeBits(a) | a.permissions()).putInt(at + 64, (int) a.links())
                .putInt(at + 68, uid).putInt(at + 72, gid).putInt(at + 76, 0).putInt(at + 80, 4096).putInt(at + 84, 0);
    }

    private static int typeBits(Attributes a) {
        return switch (a.type()) {
            case FILE -> S_IFREG;
            case DIR -> S_IFDIR;
            case SYMLINK -> S_IFLNK;
        };
    }

    private static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    private String describe(long node) {
        try {
            return nodes.path(node);
        } catch (IllegalArgumentException e) {
            return "node " + node;
        }
    }

    private static String name(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "lookup";
            case GETATTR -> "getattr";
            case READLINK -> "readlink";
            case OPEN -> "open";
            case READ -> "read";
            case RELEASE -> "release";
            case STATFS -> "statfs";
            case OPENDIR -> "opendir";
            case READDIR -> "readdir";
            case READDIRPLUS -> "readdirplus";
            case RELEASEDIR -> "releasedir";
            case FORGET -> "forget";
            case BATCH_FORGET -> "batch_forget";
            case INTERRUPT -> "interrupt";
            case FLUSH -> "flush";
            case INIT -> "init";
            default -> "op" + opcode;
        };
    }
}
