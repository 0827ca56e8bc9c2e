package verso.fs.jnr;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;
import verso.fs.Attributes;
import verso.fs.Errno;
import verso.fs.FsException;
import verso.fs.FsUsage;
import verso.fs.VersoFileSystem;

/**
 * Forwards FUSE callbacks to {@link VersoFileSystem}. Every callback runs inside {@link #call}: an
 * {@link FsException} becomes its negative errno, anything else is logged and becomes -EIO, so no
 * exception reaches native code. Only the operations overridden here are registered with libfuse;
 * the ones that would change something answer EROFS (the mount is also {@code ro}, so the kernel
 * normally refuses them first).
 */
public final class FuseAdapter extends FuseStubFS {
    private static final Logger LOG = LoggerFactory.getLogger(FuseAdapter.class);
    private static final MemoryIO NATIVE = MemoryIO.getInstance();

    /** The FUSE protocol minor version from which the kernel honours ENOSYS to open. */
    static final int NO_OPEN_MINOR = 23;
    /** The handle of a read that came without an open (handles from {@link VersoFileSystem#open} start at 1). */
    private static final long NO_HANDLE = 0;

    private final VersoFileSystem fs;
    private volatile boolean noOpen;
    private final ConcurrentLinkedQueue<DirBuffers> dirBuffers = new ConcurrentLinkedQueue<>();
    private final long uid;
    private final long gid;

    public FuseAdapter(VersoFileSystem fs, long uid, long gid) {
        this.fs = fs;
        this.uid = uid;
        this.gid = gid;
    }

    @FunctionalInterface
    private interface Op {
        int run() throws Exception;
    }

    private static int call(String op, String path, Op body) {
        try {
            return body.run();
        } catch (FsException e) {
            if (e.errno() == Errno.EIO) {
                LOG.warn("{} {}: {}", op, path, e.getMessage());
            }
            return -errno(e.errno());
        } catch (Throwable t) {
            LOG.error("{} {} failed: {}", op, path, t.toString());
            return -ErrorCodes.EIO();
        }
    }

    static int errno(Errno e) {
        return switch (e) {
            case ENOENT -> ErrorCodes.ENOENT();
            case EIO -> ErrorCodes.EIO();
            case EBADF -> ErrorCodes.EBADF();
            case EACCES -> ErrorCodes.EACCES();
            case ENOTDIR -> ErrorCodes.ENOTDIR();
            case EISDIR -> ErrorCodes.EISDIR();
            case EINVAL -> ErrorCodes.EINVAL();
            case EROFS -> ErrorCodes.EROFS();
            case ENAMETOOLONG -> ErrorCodes.ENAMETOOLONG();
        };
    }

    @Override
    protected String getFSName() {
        return verso.fs.MountOptions.FS_NAME;
    }

    /**
     * Mounts at {@code mountPoint} with the {@code -o} option string {@code options} and serves until
     * unmounted, on {@link FuseLoop}'s threads (not jnr-fuse's {@code mount}, which runs libfuse's own loop).
     */
    void serve(Path mountPoint, String options, boolean debug) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(getFSName(), "-f", mountPoint.toString(), "-o", options));
        if (debug) {
            args.add("-d");
        }
        FuseLoop.run(fuseOperations, args.toArray(String[]::new));
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> {
            fill(stat, fs.getattr(path));
            return 0;
        });
    }

    private static int typeBits(Attributes a) {
        return switch (a.type()) {
            case FILE -> FileStat.S_IFREG;
            case DIR -> FileStat.S_IFDIR;
            case SYMLINK -> FileStat.S_IFLNK;
        };
    }

    private void fill(FileStat stat, Attributes a) {
        stat.st_mode.set(typeBits(a) | a.permissions());
        stat.st_size.set(a.size());
        stat.st_nlink.set(a.links());
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        stat.st_blksize.set(4096);
        stat.st_blocks.set((a.size() + 511) / 512);
        setTime(stat.st_mtim, a.time());
        setTime(stat.st_ctim, a.time());
        setTime(stat.st_atim, a.time());
    }

    private static void setTime(Timespec ts, Instant t) {
        ts.tv_sec.set(t.getEpochSecond());
        ts.tv_nsec.set(t.getNano());
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            // libfuse reads only the type bits of each entry's stat, and with the type known, tools
            // such as ls -R and find need no getattr per entry. Entries go to libfuse as they come, so a
            // large folder's listing is never held whole on the heap.
            DirBuffers polled = dirBuffers.poll();
            DirBuffers b = polled == null ? new DirBuffers() : polled;
            try {
                b.stat.st_mode.set(FileStat.S_IFDIR);
                fillName(filler, buf, b, ".");
                fillName(filler, buf, b, "..");
                fs.readdir(path, e -> {
                    b.stat.st_mode.set(typeBits(e.attributes()));
                    return fillName(filler, buf, b, e.name()) == 0; // full: libfuse 2 with offset 0 keeps what it has
                });
            } finally {
                dirBuffers.offer(b);
            }
            return 0;
        });
    }

    /**
     * One stat and one name buffer in native memory, so that no entry is copied between the heap and
     * native memory; reused by later listings (one set per listing running at the same time).
     */
    private static final class DirBuffers {
        final Pointer statMem;
        final FileStat stat;
        final ByteBuffer name = ByteBuffer.allocateDirect(VersoFileSystem.NAME_MAX + 1);

        DirBuffers() {
            Runtime runtime = Runtime.getSystemRuntime();
            statMem = Memory.allocateDirect(runtime, Struct.size(new FileStat(runtime)), true);
            stat = FileStat.of(statMem);
        }
    }

    /**
     * Passes a NUL-terminated UTF-8 name: jnr-fuse's own String overload encodes with the platform
     * charset and adds no terminator. Names longer than a file system allows are skipped.
     */
    private static int fillName(FuseFillDir filler, Pointer buf, DirBuffers b, String entry) {
        byte[] utf8 = entry.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > VersoFileSystem.NAME_MAX) {
            return 0;
        }
        b.name.clear();
        b.name.put(utf8).put((byte) 0).flip();
        return filler.apply(buf, b.name, b.statMem, 0);
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return call("readlink", path, () -> {
            byte[] target = fs.readlink(path).getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    /**
     * Notes whether the kernel can do without open and release: from FUSE protocol 7.23 (Linux
     * 3.14), a file system that answers ENOSYS to an open is sent no open and no release again for
     * files, and reads come with no handle. A small file then costs a lookup and a read instead of a
     * lookup, an open, a read and a release; nothing is lost, since a version's files need no state
     * per open (the page cache is kept across opens, as with {@code kernel_cache}).
     */
    @Override
    public Pointer init(Pointer conn) {
        int major = conn.getInt(0);
        int minor = conn.getInt(4); // struct fuse_conn_info: unsigned proto_major, proto_minor, ...
        noOpen = major > 7 || (major == 7 && minor >= NO_OPEN_MINOR);
        LOG.debug("FUSE protocol {}.{}: {}", major, minor, noOpen ? "reads without open" : "open and release per file");
        return null;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if (noOpen) {
            return -ErrorCodes.ENOSYS();
        }
        return call("open", path, () -> {
            fi.fh.set(fs.open(path, fi.flags.get()));
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            // The kernel's buffer itself, so the block is copied once, straight into it.
            ByteBuffer dst = NATIVE.newDirectByteBuffer(buf.address(), (int) Math.min(size, Integer.MAX_VALUE));
            long fh = fi.fh.get();
            return fh == NO_HANDLE ? fs.read(path, offset, dst) : fs.read(fh, offset, dst);
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, () -> {
            fs.release(fi.fh.get());
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return call("statfs", path, () -> {
            FsUsage u = fs.statfs();
            st.f_bsize.set(u.blockSize());
            st.f_frsize.set(u.blockSize());
            st.f_blocks.set((u.totalBytes() + u.blockSize() - 1) / u.blockSize());
            st.f_bfree.set(0);
            st.f_bavail.set(0);
            st.f_files.set(u.totalFiles());
            st.f_ffree.set(0);
            st.f_favail.set(0);
            st.f_namemax.set(u.nameMax());
            return 0;
        });
    }

    // ---- everything that would change the tree

    private int refuse(String op, String path) {
        return call(op, path, () -> {
            fs.refuseWrite(op, path);
            return 0;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return refuse("write", path);
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return refuse("create", path);
    }

    @Override
    public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
        return refuse("mknod", path);
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return refuse("mkdir", path);
    }

    @Override
    public int unlink(String path) {
        return refuse("unlink", path);
    }

    @Override
    public int rmdir(String path) {
        return refuse("rmdir", path);
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return refuse("symlink", newpath);
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return refuse("rename", oldpath);
    }

    @Override
    public int link(String oldpath, String newpath) {
        return refuse("link", newpath);
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return refuse("chmod", path);
    }

    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        return refuse("chown", path);
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return refuse("truncate", path);
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return refuse("ftruncate", path);
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return refuse("utimens", path);
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return refuse("setxattr", path);
    }

    @Override
    public int removexattr(String path, String name) {
        return refuse("removexattr", path);
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return refuse("fallocate", path);
    }
}
