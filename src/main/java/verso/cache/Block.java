package verso.cache;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The verified bytes of one object, with a count of holders.
 *
 * <p>Whoever holds a block may read {@link #bytes} (absolute gets only: the buffer is shared) until it
 * calls {@link #release}; a new holder asks with {@link #retain}, which fails once the last holder
 * has let go. The block cache is one holder for as long as it keeps the block; a reader is another
 * for the length of a copy; an open file is one for the block it reads now and for each block it
 * fetched ahead. When the last holder lets go, pooled memory goes back to its {@link BufferPool}, to
 * hold the next block: the memory of a block is reused only when nobody can read it any more.
 *
 * <p>A holder that never releases costs no safety: its block's memory is then not reused, and the
 * garbage collector frees it as it would any buffer.
 */
public final class Block {
    private final ByteBuffer bytes;
    private final ByteBuffer memory;
    private final BufferPool pool;
    private final AtomicInteger holders = new AtomicInteger(1);

    private Block(ByteBuffer memory, BufferPool pool) {
        this.memory = memory;
        this.bytes = memory.asReadOnlyBuffer();
        this.pool = pool;
    }

    /** A block of {@code bytes} (its position to limit) held once, by the caller; its memory is never reused. */
    public static Block of(ByteBuffer bytes) {
        return new Block(bytes.slice(), null);
    }

    /** A block over memory taken from {@code pool}, held once, by the caller. */
    public static Block pooled(ByteBuffer memory, BufferPool pool) {
        return new Block(memory, pool);
    }

    /** The bytes, read-only; valid while the caller holds the block. */
    public ByteBuffer bytes() {
        return bytes;
    }

    /** Becomes a holder, unless the last holder has already let go (then the bytes may be gone). */
    public boolean retain() {
        for (;;) {
            int n = holders.get();
            if (n <= 0) {
                return false;
            }
            if (holders.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Lets go of one hold; the last returns the memory to its pool. */
    public void release() {
        int n = holders.decrementAndGet();
        if (n == 0) {
            if (pool != null) {
                pool.recycle(memory);
            }
        } else if (n < 0) {
            throw new IllegalStateException("block released more often than held");
        }
    }
}
