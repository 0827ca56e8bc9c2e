package verso.cache;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Direct buffers of one size, reused. A new direct buffer costs more than the block it holds is worth
 * to copy: the JVM zeroes it, the kernel faults in and zeroes each of its pages, and its memory comes
 * back only after a full garbage collection, which the JVM starts when its direct-memory limit is
 * reached. Blocks of the common size instead take a buffer a released {@link Block} gave back.
 *
 * <p>At most {@code maxIdle} buffers wait here; more are dropped for the collector to free. Buffers
 * of other sizes (a file's last block, small files) are allocated as usual and never kept.
 */
public final class BufferPool {
    private final int size;
    private final int maxIdle;
    private final ConcurrentLinkedQueue<ByteBuffer> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final LongAdder reuses = new LongAdder();

    public BufferPool(int size, int maxIdle) {
        if (size <= 0 || maxIdle < 0) {
            throw new IllegalArgumentException("buffer size must be positive and the idle bound not negative");
        }
        this.size = size;
        this.maxIdle = maxIdle;
    }

    /**
     * A direct buffer of {@code length} bytes (position 0, limit {@code length}); a reused one is not
     * cleared. If the JVM's direct memory is spent, the idle buffers are given up to make room.
     */
    public ByteBuffer take(int length) {
        if (length == size) {
            ByteBuffer b = idle.poll();
            if (b != null) {
                idleCount.decrementAndGet();
                reuses.increment();
                return b.clear();
            }
        }
        try {
            return ByteBuffer.allocateDirect(length);
        } catch (OutOfMemoryError e) {
            if (idle.isEmpty()) {
                throw e;
            }
            while (idle.poll() != null) {
                idleCount.decrementAndGet();
            }
            return ByteBuffer.allocateDirect(length); // the JVM collects the dropped buffers first
        }
    }

    /** Keeps a buffer no block uses any more, if it has the pool's size and the pool has room. */
    void recycle(ByteBuffer memory) {
        if (memory.capacity() != size || !memory.isDirect()) {
            return;
        }
        if (idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(memory);
        } else {
            idleCount.decrementAndGet();
        }
    }

    /** Buffers handed out again instead of allocated. */
    public long reuses() {
        return reuses.sum();
    }

    /** Buffers waiting to be reused. */
    public int idle() {
        return idleCount.get();
    }
}
