package verso.fs.jnr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;
import verso.store.DaemonThreads;

/**
 * libfuse 2's request loop, run on Java threads.
 *
 * <p>Why not {@code fuse_main}: its multithreaded loop serves each request on a native thread that
 * the JVM has never seen, so jffi attaches that thread to the JVM for the callback and detaches it
 * after (until the thread has made 1,000 calls): every FUSE request paid for a new
 * {@code java.lang.Thread}. Here a fixed set of Java threads each read requests from the FUSE device
 * and process them ({@code fuse_session_receive_buf} and {@code fuse_session_process_buf}, as
 * libfuse's own worker does), so callbacks arrive on threads that stay attached. Mounting and
 * unmounting stay libfuse's ({@code fuse_setup}, {@code fuse_teardown}): the same option parsing,
 * {@code fusermount} and clean-up as {@code fuse_main}.
 *
 * <p>Threads are started as requests need them, as libfuse's loop does: a worker that takes a request
 * while no other waits on the device starts another, up to {@link #THREADS}. The kernel hands each
 * request to the worker that has waited longest, so a fixed crowd of idle workers would pass one
 * reader's requests around all of them, each waking on a cold cache; a reader alone keeps two busy.
 */
final class FuseLoop {
    private static final Logger LOG = LoggerFactory.getLogger(FuseLoop.class);
    /** The most threads serving requests at once. */
    static final int THREADS = 16;
    private static final int EINTR = 4;

    /** The libfuse 2.9 calls the loop needs, beyond those jnr-fuse binds. */
    public interface Lib {
        Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize,
                           PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer se, Pointer ch);

        @size_t long fuse_chan_bufsize(Pointer ch);

        int fuse_session_exited(Pointer se);

        void fuse_session_exit(Pointer se);

        int fuse_session_receive_buf(Pointer se, Pointer buf, Pointer chp);

        void fuse_session_process_buf(Pointer se, Pointer buf, Pointer ch);
    }

    /** libfuse's {@code struct fuse_buf} on 64-bit Linux: size_t size, int flags, void *mem, int fd, off_t pos. */
    private static final int BUF_SIZE = 0, BUF_FLAGS = 8, BUF_MEM = 16, BUF_STRUCT_BYTES = 40;

    private static volatile Lib lib;

    private FuseLoop() {
    }

    /** libfuse 2, loaded once; a {@link LinkageError} if it is missing. */
    static Lib lib() {
        Lib l = lib;
        if (l == null) {
            l = LibraryLoader.create(Lib.class).failImmediately().load("fuse");
            lib = l;
        }
        return l;
    }

    /**
     * Mounts {@code operations} with libfuse's command line {@code args} ({@code argv[0]} first) and
     * serves requests on up to {@link #THREADS} threads until the filesystem is unmounted; then cleans up.
     * Throws if libfuse cannot mount (its reason is on stderr).
     */
    static void run(FuseOperations operations, String[] args) throws IOException, InterruptedException {
        Lib fuse = lib();
        PointerByReference mountpoint = new PointerByReference();
        Pointer f = fuse.fuse_setup(args.length, args, operations, Struct.size(operations), mountpoint,
                new IntByReference(), null);
        if (f == null) {
            throw new IOException("libfuse could not mount");
        }
        Pointer se = fuse.fuse_get_session(f);
        Pointer ch = fuse.fuse_session_next_chan(se, null);
        long bufSize = fuse.fuse_chan_bufsize(ch);
        new Workers(fuse, se, ch, bufSize).serve();
        fuse.fuse_teardown(f, mountpoint.getValue()); // only once no worker can touch the session
    }

    /** The threads serving one session. */
    private static final class Workers {
        private final Lib fuse;
        private final Pointer se;
        private final Pointer ch;
        private final long bufSize;
        private final Runtime runtime = Runtime.getSystemRuntime();
        private final ThreadFactory threads = DaemonThreads.numbered("verso-fuse");
        private final List<Thread> started = new ArrayList<>();
        /** Workers waiting for a request. */
        private final AtomicInteger waiting = new AtomicInteger();

        Workers(Lib fuse, Pointer se, Pointer ch, long bufSize) {
            this.fuse = fuse;
            this.se = se;
            this.ch = ch;
            this.bufSize = bufSize;
        }

        /** Serves until the session ends and every worker has stopped. */
        void serve() throws InterruptedException {
            start();
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
        }

        /** Starts a worker unless {@link #THREADS} have been started. */
        private void start() {
            synchronized (started) {
                if (started.size() < THREADS) {
                    Thread t = threads.newThread(this::work);
                    waiting.incrementAndGet(); // counted from now, so two takers do not both start one
                    started.add(t);
                    t.start();
                }
            }
        }

        /** libfuse's worker: read a request, process it (the callback runs here), until the session ends. */
        private void work() {
            Pointer mem = Memory.allocateDirect(runtime, (int) bufSize);
            Pointer buf = Memory.allocateDirect(runtime, BUF_STRUCT_BYTES, true);
            Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize(), true);
            try {
                while (fuse.fuse_session_exited(se) == 0) {
                    buf.putLong(BUF_SIZE, bufSize); // the receive overwrites it with the request's size
                    buf.putInt(BUF_FLAGS, 0);
                    buf.putPointer(BUF_MEM, mem);
                    chp.putPointer(0, ch);
                    int res = fuse.fuse_session_receive_buf(se, buf, chp);
                    if (res == -EINTR) {
                        continue;
                    }
                    if (res <= 0) {
                        if (res < 0) {
                            LOG.warn("reading the FUSE device failed (errno {}); stopping", -res);
                        }
                        fuse.fuse_session_exit(se); // 0: unmounted; the other workers see it on their next request
                        return;
                    }
                    if (waiting.decrementAndGet() == 0) {
                        start(); // nobody else waits: the next request would wait for this one
                    }
                    fuse.fuse_session_process_buf(se, buf, chp.getPointer(0));
                    waiting.incrementAndGet();
                }
            } finally {
                waiting.decrementAndGet();
            }
        }
    }
}
