package verso.fs.jnr;

import com.kenai.jffi.MemoryIO;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uintptr_t;
import verso.cache.BufferPool;

/**
 * The mount's block memory: native memory the JVM does not zero, advised to the kernel for transparent
 * huge pages ({@code madvise(MADV_HUGEPAGE)}) before it is touched.
 *
 * <p>A new daemon fills its block cache from nothing, and the JVM's direct buffers made that cost a
 * page fault per 4 KiB plus the JVM zeroing every buffer before use: about a quarter of a second of
 * CPU for each 512 MiB read first. Memory given huge pages faults once per 2 MiB, and is not zeroed
 * twice. A block's memory is freed when the pool drops it, or else when its buffer is collected.
 */
public final class HugePageMemory implements BufferPool.Allocator {
    /** madvise(2). */
    public interface LibC {
        int madvise(@uintptr_t long address, @size_t long length, int advice);
    }

    private static final long HUGE_PAGE = 2 << 20;
    private static final int MADV_HUGEPAGE = 14;
    private static final LibC LIBC = LibraryLoader.create(LibC.class).failImmediately().load("c");
    private static final MemoryIO NATIVE = MemoryIO.getInstance();
    private static final Cleaner CLEANER = Cleaner.create();

    /** The memory of each buffer handed out, by address: freed once, by {@link #free} or the cleaner. */
    private final Map<Long, Cleaner.Cleanable> allocated = new ConcurrentHashMap<>();

    @Override
    public ByteBuffer allocate(int size) {
        // whole huge pages: 2 MiB more than asked for, the buffer starting at the first 2 MiB boundary
        long allocation = NATIVE.allocateMemory(size + HUGE_PAGE, false); // not zeroed: blocks are read in whole
        if (allocation == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes of block memory");
        }
        long address = (allocation + HUGE_PAGE - 1) & -HUGE_PAGE;
        LIBC.madvise(address, size, MADV_HUGEPAGE); // before any of it is touched; a hint the kernel may ignore
        ByteBuffer buffer = NATIVE.newDirectByteBuffer(address, size);
        allocated.put(address, CLEANER.register(buffer, new Free(allocated, address, allocation)));
        return buffer;
    }

    @Override
    public void free(ByteBuffer buffer) {
        Cleaner.Cleanable memory = allocated.remove(NATIVE.getDirectBufferAddress(buffer));
        if (memory != null) {
            memory.clean();
        }
    }

    /** Buffers handed out and not yet freed. */
    int allocations() {
        return allocated.size();
    }

    /** Holds no reference to the buffer, so that the cleaner can run once it is collected. */
    private record Free(Map<Long, Cleaner.Cleanable> allocated, long address, long allocation) implements Runnable {
        @Override
        public void run() {
            allocated.remove(address); // before the address can be allocated again
            NATIVE.freeMemory(allocation);
        }
    }
}
