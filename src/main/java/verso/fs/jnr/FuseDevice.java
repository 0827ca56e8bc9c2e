package verso.fs.jnr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.uintptr_t;

/**
 * A mounted FUSE connection: the kernel's end is the file descriptor of {@code /dev/fuse} that
 * requests are read from and replies written to. Mounting and unmounting are libfuse 2's
 * ({@code fuse_mount}, {@code fuse_unmount}): the same option parsing, {@code mount(2)} as root
 * and set-uid {@code fusermount} otherwise, as every libfuse file system. Nothing else of libfuse
 * is used: {@link FuseSession} speaks the protocol itself.
 */
final class FuseDevice {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOENT = 2;
    static final int ENODEV = 19;

    /** The libfuse 2.9 calls for mounting. */
    public interface LibFuse {
        Pointer fuse_mount(String mountpoint, Pointer args);

        void fuse_unmount(String mountpoint, Pointer channel);

        int fuse_chan_fd(Pointer channel);

        void fuse_opt_free_args(Pointer args);
    }

    /** read(2) and write(2) on native memory, with errno kept. */
    public interface LibC {
        @SaveError
        @ssize_t long read(int fd, @uintptr_t long buf, @size_t long count);

        @SaveError
        @ssize_t long write(int fd, @uintptr_t long buf, @size_t long count);

        @SaveError
        @ssize_t long writev(int fd, @uintptr_t long iov, int iovcnt);
    }

    /** {@code struct fuse_args} on 64-bit Linux: int argc, char **argv, int allocated. */
    private static final int ARGS_ARGC = 0, ARGS_ARGV = 8, ARGS_ALLOCATED = 16, ARGS_BYTES = 24;

    private static volatile LibFuse fuse;
    private static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    private static final Runtime LIBC_RUNTIME = Runtime.getRuntime(LIBC);

    private final String mountPoint;
    private final Pointer channel;
    private final int fd;

    private FuseDevice(String mountPoint, Pointer channel, int fd) {
        this.mountPoint = mountPoint;
        this.channel = channel;
        this.fd = fd;
    }

    /** libfuse 2, loaded once; a {@link LinkageError} if it is missing. */
    static LibFuse fuse() {
        LibFuse f = fuse;
        if (f == null) {
            f = LibraryLoader.create(LibFuse.class).failImmediately().load("fuse");
            fuse = f;
        }
        return f;
    }

    /** Mounts at {@code mountPoint} with the {@code -o} option string {@code options}; throws if libfuse cannot. */
    static FuseDevice mount(Path mountPoint, String options) throws IOException {
        LibFuse lib = fuse();
        Runtime rt = Runtime.getRuntime(lib);
        String[] argv = {"verso", "-o", options};
        Pointer array = Memory.allocateDirect(rt, argv.length * rt.addressSize(), true);
        Pointer[] strings = new Pointer[argv.length]; // held until the call returns
        for (int i = 0; i < argv.length; i++) {
            byte[] b = argv[i].getBytes(StandardCharsets.UTF_8);
            strings[i] = Memory.allocateDirect(rt, b.length + 1, true);
            strings[i].put(0, b, 0, b.length);
            array.putPointer((long) i * rt.addressSize(), strings[i]);
        }
        Pointer args = Memory.allocateDirect(rt, ARGS_BYTES, true);
        args.putInt(ARGS_ARGC, argv.length);
        args.putPointer(ARGS_ARGV, array);
        args.putInt(ARGS_ALLOCATED, 0);
        String mp = mountPoint.toString();
        Pointer channel = lib.fuse_mount(mp, args);
        lib.fuse_opt_free_args(args); // what libfuse's parsing allocated in place of ours
        if (channel == null) {
            throw new IOException("libfuse could not mount");
        }
        return new FuseDevice(mp, channel, lib.fuse_chan_fd(channel));
    }

    /** Reads one request into {@code address}: its length, or a negative errno. */
    int read(long address, int capacity) {
        long n = LIBC.read(fd, address, capacity);
        return n < 0 ? -LastError.getLastError(LIBC_RUNTIME) : (int) n;
    }

    /** Writes one reply from {@code address}: its length, or a negative errno. */
    int write(long address, int length) {
        long n = LIBC.write(fd, address, length);
        return n < 0 ? -LastError.getLastError(LIBC_RUNTIME) : (int) n;
    }

    /**
     * Writes one reply gathered from {@code count} pieces ({@code struct iovec}s at {@code iov}): its
     * length, or a negative errno. The kernel takes a reply whole or not at all.
     */
    int writev(long iov, int count) {
        long n = LIBC.writev(fd, iov, count);
        return n < 0 ? -LastError.getLastError(LIBC_RUNTIME) : (int) n;
    }

    /** Closes the device and unmounts if the mount is still there (libfuse checks the device first). */
    void unmount() {
        fuse().fuse_unmount(mountPoint, channel);
    }
}
