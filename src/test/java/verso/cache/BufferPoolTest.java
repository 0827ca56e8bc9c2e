package verso.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

final class BufferPoolTest {

    @Test
    void take_reusesTheMemoryOfABlockLetGoOf() {
        BufferPool pool = new BufferPool(1024, 2);
        ByteBuffer memory = pool.take(1024);
        assertTrue(memory.isDirect());
        Block block = Block.pooled(memory.put(0, (byte) 7), pool);
        assertTrue(block.retain());
        block.release();
        assertEquals(0, pool.idle(), "still held once");
        block.release();
        assertEquals(1, pool.idle());
        ByteBuffer again = pool.take(1024);
        assertSame(memory, again);
        assertEquals(0, again.position());
        assertEquals(1024, again.limit());
        assertEquals(1, pool.reuses());
    }

    @Test
    void recycle_keepsAtMostTheIdleBoundAndOnlyItsOwnSize() {
        BufferPool pool = new BufferPool(1024, 2);
        for (int i = 0; i < 3; i++) {
            Block.pooled(pool.take(1024), pool).release();
        }
        assertEquals(1, pool.idle(), "each take reused the one let go of before");
        Block a = Block.pooled(pool.take(1024), pool);
        Block b = Block.pooled(pool.take(1024), pool);
        Block c = Block.pooled(pool.take(1024), pool);
        a.release();
        b.release();
        c.release();
        assertEquals(2, pool.idle(), "the third is left to the collector");

        ByteBuffer odd = pool.take(1000);
        assertEquals(1000, odd.capacity());
        Block.pooled(odd, pool).release();
        Block.pooled(ByteBuffer.allocate(1024), pool).release();
        assertEquals(2, pool.idle(), "a last block's size or heap memory is never pooled");
        assertNotSame(odd, pool.take(1000));
    }

    @Test
    void release_beyondTheHoldsIsRefused() {
        Block block = Block.of(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        block.release();
        assertThrows(IllegalStateException.class, block::release);
        assertFalse(block.retain(), "a block let go of by all can never be held again");
    }
}
