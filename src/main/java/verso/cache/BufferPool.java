package verso.cache;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * The memory of blocks: direct buffers, reused, within a budget.
 *
 * <p>Reuse: a new direct buffer costs more than the block it holds is worth to copy — the JVM zeroes
 * it, the kernel faults in and zeroes each of its pages, and its memory comes back only after a full
 * garbage collection, which the JVM starts when its direct-memory limit is reached. Blocks of the
 * common size instead take a buffer a released {@link Block} gave back. At most {@code maxIdle}
 * buffers wait here; more are dropped, and given back to the {@link Allocator} the common size comes
 * from (the JVM's direct buffers unless told otherwise: the mount's are native memory in huge pages).
 * Buffers of other sizes (a file's last block, small files) are allocated as usual and never kept.
 *
 * <p>Budget: the pool counts the bytes of the buffers it handed out and has not dropped. A new
 * buffer that would exceed {@code budget} first asks {@code reclaim} (the block cache) to let go of
 * some blocks: their memory comes back here at once unless a reader still holds it. So a cache that
 * fills its share of memory gives way to blocks being read, instead of reads failing for want of
 * memory when many files are read at once. Idle buffers count in the budget too; a taker of another
 * size drops them before asking the cache. If nothing is left to reclaim (readers hold every block in
 * memory), the taker waits, up to {@code maxWait}, for a reader to let go of one; after that the
 * buffer is allocated anyway, and the JVM's own limit decides.
 */
public final class BufferPool {
    /** Where the buffers of the pool's own size come from, and go when the pool drops one. */
    public interface Allocator {
        /** The JVM's direct buffers, freed by the collector once dropped. */
        Allocator JVM = new Allocator() {
            @Override
            public ByteBuffer allocate(int size) {
                return ByteBuffer.allocateDirect(size);
            }

            @Override
            public void free(ByteBuffer buffer) {
            }
        };

        /** A direct buffer of {@code size} bytes, whose content is not defined. */
        ByteBuffer allocate(int size);

        /** Gives back a buffer {@link #allocate} made and nothing uses any more. */
        void free(ByteBuffer buffer);
    }

    /** Reclaim rounds for one buffer before waiting for a release. */
    private static final int MAX_RECLAIMS = 8;
    private static final long WAIT_ROUND_NANOS = 10_000_000;

    private final int size;
    private final Allocator allocator;
    private final int maxIdle;
    private final long budget;
    private final LongPredicate reclaim;
    private final ConcurrentLinkedQueue<ByteBuffer> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicLong outstanding = new AtomicLong();
    private final LongAdder reuses = new LongAdder();
    private final long maxWaitNanos;
    private final Object released = new Object();
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

    /** A pool without a budget. */
    public BufferPool(int size, int maxIdle) {
        this(size, maxIdle, Long.MAX_VALUE, bytes -> false, Duration.ZERO);
    }

    /**
     * @param budget  bytes of buffers out at once before {@code reclaim} is asked for memory
     * @param reclaim asked to let go of about the given bytes of blocks; false if it had none
     * @param maxWait how long a taker waits for a release when nothing can be reclaimed
     */
    public BufferPool(int size, int maxIdle, long budget, LongPredicate reclaim, Duration maxWait) {
        this(size, Allocator.JVM, maxIdle, budget, reclaim, maxWait);
    }

    /** As above, with the buffers of size {@code size} from {@code allocator}. */
    public BufferPool(int size, Allocator allocator, int maxIdle, long budget, LongPredicate reclaim,
                      Duration maxWait) {
        if (size <= 0 || maxIdle < 0 || budget <= 0 || maxWait.isNegative()) {
            throw new IllegalArgumentException("buffer size and budget must be positive, the idle bound and wait not negative");
        }
        this.size = size;
        this.allocator = allocator;
        this.maxIdle = maxIdle;
        this.budget = budget;
        this.reclaim = reclaim;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * A direct buffer of {@code length} bytes (position 0, limit {@code length}); a reused one is not
     * cleared. Takers that must wait for memory are served in turn; a new taker does not pass them.
     * If the JVM's direct memory is spent, the idle buffers are given up to make room.
     */
    public ByteBuffer take(int length) {
        if (waiters.isEmpty()) {
            ByteBuffer b = takeWithinBudget(length);
            if (b != null) {
                return b;
            }
        }
        // Every block in memory is held by a reader: wait for one to be let go of.
        Thread me = Thread.currentThread();
        waiters.add(me);
        try {
            long deadline = System.nanoTime() + maxWaitNanos;
            while (true) {
                if (waiters.peek() == me) {
                    ByteBuffer b = takeWithinBudget(length);
                    if (b != null) {
                        return b;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !awaitRelease(Math.min(left, WAIT_ROUND_NANOS))) {
                    break;
                }
            }
        } finally {
            waiters.remove(me);
            signal(); // the next in turn
        }
        outstanding.addAndGet(length);
        return allocate(length);
    }

    /** A reused buffer, or a new one if the budget allows (after asking the cache for room); else null. */
    private ByteBuffer takeWithinBudget(int length) {
        for (int i = 0; ; i++) {
            ByteBuffer b = reuse(length);
            if (b != null) {
                return b;
            }
            if (reserve(length) || reserveByDroppingIdle(length)) {
                return allocate(length);
            }
            if (i >= MAX_RECLAIMS || !reclaim.test(length)) {
                return null;
            }
        }
    }

    /**
     * Idle buffers count in the budget but fit only blocks of the pool's size, and a block the cache
     * lets go of becomes one: a taker of another size (a file's last block, a small file) drops them
     * until its buffer fits, rather than waiting for a release that would only add to them.
     */
    private boolean reserveByDroppingIdle(int length) {
        ByteBuffer dropped;
        while ((dropped = idle.poll()) != null) {
            idleCount.decrementAndGet();
            drop(dropped);
            if (reserve(length)) {
                return true;
            }
        }
        return false;
    }

    private boolean reserve(int length) {
        while (true) {
            long now = outstanding.get();
            if (now + length > budget) {
                return false;
            }
            if (outstanding.compareAndSet(now, now + length)) {
                return true;
            }
        }
    }

    /** A new buffer whose bytes are already counted in {@code outstanding}. */
    private ByteBuffer allocate(int length) {
        try {
            return newBuffer(length);
        } catch (OutOfMemoryError e) {
            if (idle.isEmpty()) {
                outstanding.addAndGet(-length);
                throw e;
            }
            ByteBuffer dropped;
            while ((dropped = idle.poll()) != null) {
                idleCount.decrementAndGet();
                drop(dropped);
            }
            try {
                return newBuffer(length); // dropped buffers are freed first, by their allocator or the JVM
            } catch (OutOfMemoryError again) {
                outstanding.addAndGet(-length);
                throw again;
            }
        }
    }

    private ByteBuffer newBuffer(int length) {
        return length == size ? allocator.allocate(length) : ByteBuffer.allocateDirect(length);
    }

    /** Lets go of a buffer taken here: no longer counted, and given back to its allocator. */
    private void drop(ByteBuffer buffer) {
        outstanding.addAndGet(-buffer.capacity());
        if (buffer.capacity() == size) {
            allocator.free(buffer);
        }
    }

    /** Waits for a release or {@code nanos}; false if the thread was interrupted (it stops waiting). */
    private boolean awaitRelease(long nanos) {
        try {
            synchronized (released) {
                // A release between the caller's check and this wait is missed: rounds are short.
                released.wait(Math.max(1, nanos / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void signal() {
        if (!waiters.isEmpty()) {
            synchronized (released) {
                released.notifyAll();
            }
        }
    }

    private ByteBuffer reuse(int length) {
        if (length != size) {
            return null;
        }
        ByteBuffer b = idle.poll();
        if (b == null) {
            return null;
        }
        idleCount.decrementAndGet();
        reuses.increment();
        return b.clear();
    }

    /**
     * Takes back a buffer taken here that nothing uses any more (a {@link Block} does this when its
     * last holder lets go): kept if it has the pool's size and there is room, else dropped.
     */
    public void recycle(ByteBuffer memory) {
        if (!memory.isDirect()) {
            return; // not from this pool
        }
        if (memory.capacity() == size && idleCount.incrementAndGet() <= maxIdle) {
            idle.offer(memory);
        } else {
            if (memory.capacity() == size) {
                idleCount.decrementAndGet();
            }
            drop(memory);
        }
        signal();
    }

    /** Buffers handed out again instead of allocated. */
    public long reuses() {
        return reuses.sum();
    }

    /** Buffers waiting to be reused. */
    public int idle() {
        return idleCount.get();
    }

    /** Bytes of the buffers handed out or waiting here (not yet dropped). */
    public long outstanding() {
        return outstanding.get();
    }
}
