package verso.fs.jnr;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.function.Consumer;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.uintptr_t;
import verso.repo.Directories;
import verso.repo.FileStat;

/**
 * A workspace's directories listed with {@code getdents64} and their entries {@code lstat()}ed with
 * {@code fstatat} on the open directory, straight into reused native buffers: the calls git makes,
 * without the JDK's path, string and attribute objects (and its field-by-field JNI) for every entry.
 * An unchanged status of 1.2 million files took 1.5 s of user CPU this way, 2.0 s through the JDK.
 *
 * <p>Where it cannot be used (not Linux on x86-64 or AArch64, a glibc older than 2.33, file names not
 * decoded as UTF-8 by the JDK, or a {@code struct stat} that does not read back as the JDK reads it)
 * it is {@link Directories#JDK}.
 */
public final class NativeDirectories {
    /** The C library's calls; {@code fstatat} is exported since glibc 2.33, {@code getdents64} since 2.30. */
    public interface LibC {
        @SaveError
        int open(@In byte[] path, int flags);

        @SaveError
        @ssize_t long getdents64(int fd, @uintptr_t long buffer, @size_t long length);

        @SaveError
        int fstatat(int dirFd, @uintptr_t long path, @uintptr_t long stat, int flags);

        int close(int fd);

        String strerror(int errno);
    }

    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final int O_CLOEXEC = 02000000;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int ENOTDIR = 20;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;
    private static final int NAME_MAX = 255;
    /** Bytes of entries read by one {@code getdents64}. */
    private static final int LIST_BYTES = 32 << 10;
    /** Where a thread's native scratch holds a name and its NUL, after the entries listed. */
    private static final int NAME = LIST_BYTES;
    /** Where it holds a {@code struct stat}. */
    private static final int STAT = NAME + 256;
    /** {@code struct stat}'s fields where x86-64 and AArch64 agree. */
    private static final int ST_DEV = 0;
    private static final int ST_INO = 8;
    private static final int ST_SIZE = 48;
    private static final int ST_MTIME = 88;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private NativeDirectories() {
    }

    /**
     * The native directories where they work, else the JDK's. The C library is loaded, and checked
     * against the JDK, when the first directory is opened: a command that scans nothing pays nothing.
     */
    public static Directories create() {
        return dir -> Checked.WORKS ? new Listing(dir) : Directories.JDK.open(dir);
    }

    /** Whether the native calls are used: they load, and read the root directory as the JDK does. */
    static boolean used() {
        return Checked.WORKS;
    }

    private static final class Checked {
        static final boolean WORKS = Native.LIBC != null && readsAsTheJdk(Path.of("/"), ".");
    }

    /** The C library, or null where it cannot be used; loaded on first use. */
    private static final class Native {
        static final int MODE;
        static final int O_DIRECTORY;
        static final LibC LIBC;
        static final Runtime RUNTIME;

        static {
            Platform p = Platform.getNativePlatform();
            boolean arm = p.getCPU() == Platform.CPU.AARCH64;
            MODE = arm ? 16 : 24;
            O_DIRECTORY = arm ? 040000 : 0200000;
            LibC lib = null;
            if (p.getOS() == Platform.OS.LINUX && (arm || p.getCPU() == Platform.CPU.X86_64)
                    && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                    && "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
                try {
                    lib = LibraryLoader.create(LibC.class).failImmediately().load("c");
                } catch (LinkageError | RuntimeException e) {
                    lib = null; // an older C library, or jnr's own stub not loadable: the JDK's way
                }
            }
            LIBC = lib;
            RUNTIME = lib == null ? null : Runtime.getRuntime(lib);
        }
    }

    /**
     * A thread's buffers, reused for every directory it lists and every entry it stats: entries listed
     * (natively, and copied to the heap to be decoded), then a name, then a {@code struct stat}.
     */
    private static final class Scratch {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(STAT + 256).order(ByteOrder.nativeOrder());
        final long address = MEMORY.getDirectBufferAddress(buffer);
        final byte[] entries = new byte[LIST_BYTES];
    }

    /** Whether entry {@code name} of {@code dir} reads natively as it reads through the JDK. */
    private static boolean readsAsTheJdk(Path dir, String name) {
        try (Listing l = new Listing(dir)) {
            FileStat mine = l.lstat(name);
            return mine != null && mine.equals(FileStat.lstat(dir.resolve(name)));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** An open directory: its descriptor, shared by the threads that stat its entries. */
    private static final class Listing implements Directories.Open {
        private final Path dir;
        private final int fd;
        private boolean closed;

        Listing(Path dir) throws IOException {
            this.dir = dir;
            byte[] path = dir.toString().getBytes(StandardCharsets.UTF_8);
            byte[] cPath = new byte[path.length + 1];
            System.arraycopy(path, 0, cPath, 0, path.length);
            int f;
            do {
                f = Native.LIBC.open(cPath, Native.O_DIRECTORY | O_CLOEXEC);
            } while (f < 0 && interrupted());
            if (f < 0) {
                throw error(dir, LastError.getLastError(Native.RUNTIME));
            }
            this.fd = f;
        }

        @Override
        public void names(Consumer<String> each) throws IOException {
            Scratch scratch = SCRATCH.get();
            byte[] chunk = scratch.entries;
            while (true) {
                long n = Native.LIBC.getdents64(fd, scratch.address, LIST_BYTES);
                if (n < 0 && interrupted()) {
                    continue;
                }
                if (n < 0) {
                    throw error(dir, LastError.getLastError(Native.RUNTIME));
                }
                if (n == 0) {
                    return;
                }
                scratch.buffer.get(0, chunk, 0, (int) n);
                // struct linux_dirent64: d_ino, d_off (8 bytes each), d_reclen (2), d_type (1), d_name
                for (int at = 0; at < n; at += (chunk[at + 16] & 0xff) | (chunk[at + 17] & 0xff) << 8) {
                    int from = at + 19;
                    int to = from;
                    while (chunk[to] != 0) {
                        to++;
                    }
                    boolean dots = chunk[from] == '.' && (to == from + 1 || to == from + 2 && chunk[from + 1] == '.');
                    if (!dots) {
                        each.accept(new String(chunk, from, to - from, StandardCharsets.UTF_8));
                    }
                }
            }
        }

        @Override
        public FileStat lstat(String name) throws IOException {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            if (n.length > NAME_MAX) {
                throw new FileSystemException(dir.resolve(name).toString(), null, "file name too long");
            }
            Scratch scratch = SCRATCH.get();
            ByteBuffer s = scratch.buffer;
            s.put(NAME, n).put(NAME + n.length, (byte) 0);
            int r;
            do {
                r = Native.LIBC.fstatat(fd, scratch.address + NAME, scratch.address + STAT, AT_SYMLINK_NOFOLLOW);
            } while (r != 0 && interrupted());
            if (r != 0) {
                int errno = LastError.getLastError(Native.RUNTIME);
                if (errno == ENOENT) {
                    return null;
                }
                throw error(dir.resolve(name), errno);
            }
            int mode = s.getInt(STAT + Native.MODE);
            FileStat.Kind kind = switch (mode & S_IFMT) {
                case S_IFREG -> FileStat.Kind.FILE;
                case S_IFDIR -> FileStat.Kind.DIRECTORY;
                case S_IFLNK -> FileStat.Kind.SYMLINK;
                default -> FileStat.Kind.OTHER;
            };
            long mtime = s.getLong(STAT + ST_MTIME) * 1_000_000_000L + s.getLong(STAT + ST_MTIME + 8);
            int key = Long.hashCode(s.getLong(STAT + ST_DEV)) + Long.hashCode(s.getLong(STAT + ST_INO));
            return new FileStat(kind, s.getLong(STAT + ST_SIZE), mtime, key, (mode & 0100) != 0);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                Native.LIBC.close(fd);
            }
        }
    }

    /** Whether the call that just failed was interrupted by a signal, and is to be made again (as the JDK does). */
    private static boolean interrupted() {
        return LastError.getLastError(Native.RUNTIME) == EINTR;
    }

    /** The exception the JDK would throw for this errno. */
    private static IOException error(Path path, int errno) {
        String p = path.toString();
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(p);
            case EACCES, EPERM -> new AccessDeniedException(p);
            case ENOTDIR -> new NotDirectoryException(p);
            default -> new FileSystemException(p, null, Native.LIBC.strerror(errno));
        };
    }
}
