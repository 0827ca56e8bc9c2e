package verso.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import verso.store.Hashing;

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
    void take_overBudgetAsksTheCacheToLetGoFirst() throws Exception {
        int n = 64 << 10;
        BlockCache[] cache = new BlockCache[1];
        BufferPool pool = new BufferPool(n, 4, 3L * n, bytes -> cache[0].evictColdest(bytes), Duration.ZERO);
        cache[0] = new BlockCache(100L * n, Runnable::run);
        for (int i = 0; i < 3; i++) {
            cache[0].get(Hashing.hash(new byte[] {(byte) i}), n, (k, hint) -> Block.pooled(pool.take(n), pool)).release();
        }
        assertEquals(3L * n, pool.outstanding(), "three blocks cached: the budget is spent");
        assertEquals(0, pool.reuses());
        ByteBuffer next = pool.take(n);
        assertEquals(1, pool.reuses(), "the coldest cached block was let go of and its memory reused");
        assertEquals(3L * n, pool.outstanding());
        assertEquals(2L * Math.max(n, BlockCache.MIN_ENTRY_WEIGHT), cache[0].sizeBytes());
        assertTrue(next.isDirect());
    }

    @Test
    void take_overBudgetWithNothingToReclaimAllocatesAnyway() {
        BufferPool pool = new BufferPool(1024, 4, 1024, bytes -> false, Duration.ZERO);
        pool.take(1024);
        ByteBuffer second = pool.take(1024);
        assertEquals(1024, second.capacity());
        assertEquals(2048, pool.outstanding(), "the JVM's own limit decides");
    }

    @Test
    void buffersOfThePoolsSize_comeFromItsAllocator_andGoBackWhenDropped() {
        int n = 1024;
        List<ByteBuffer> made = new ArrayList<>();
        List<ByteBuffer> freed = new ArrayList<>();
        BufferPool.Allocator allocator = new BufferPool.Allocator() {
            @Override
            public ByteBuffer allocate(int size) {
                made.add(ByteBuffer.allocateDirect(size));
                return made.get(made.size() - 1);
            }

            @Override
            public void free(ByteBuffer buffer) {
                freed.add(buffer);
            }
        };
        BufferPool pool = new BufferPool(n, allocator, 1, 3L * n, bytes -> false, Duration.ZERO);
        Block first = Block.pooled(pool.take(n), pool);
        Block second = Block.pooled(pool.take(n), pool);
        ByteBuffer other = pool.take(100);
        assertEquals(2, made.size(), "blocks of the pool's size only");
        first.release();
        second.release();
        assertEquals(List.of(made.get(1)), freed, "one kept idle, the other dropped and freed");
        pool.recycle(other);
        assertEquals(1, freed.size(), "a buffer of another size is the JVM's to free");
        pool.take(3 * n - 50);
        assertEquals(List.of(made.get(1), made.get(0)), freed, "an idle buffer dropped for room is freed too");
        assertEquals(3L * n - 50, pool.outstanding());
    }

    @Test
    void take_ofAnotherSizeOverBudget_dropsIdleBuffersInsteadOfWaiting() {
        int n = 1024;
        BufferPool pool = new BufferPool(n, 4, 2L * n, bytes -> false, Duration.ZERO);
        Block read = Block.pooled(pool.take(n), pool);
        Block.pooled(pool.take(n), pool);
        read.release();
        assertEquals(1, pool.idle());
        assertEquals(2L * n, pool.outstanding(), "one block held, one idle: the budget is spent");
        ByteBuffer last = pool.take(100);
        assertEquals(100, last.capacity());
        assertEquals(0, pool.idle(), "the idle buffer fits no block of 100 bytes: dropped");
        assertEquals(n + 100L, pool.outstanding(), "within the budget, not past it");
    }

    @Test
    void take_ofAnotherSize_findsRoomInBlocksTheCacheLetsGoOf() throws Exception {
        int n = 64 << 10;
        BlockCache[] cache = new BlockCache[1];
        BufferPool pool = new BufferPool(n, 4, 2L * n, bytes -> cache[0].evictColdest(bytes), Duration.ZERO);
        cache[0] = new BlockCache(100L * n, Runnable::run);
        for (int i = 0; i < 2; i++) {
            cache[0].get(Hashing.hash(new byte[] {(byte) i}), n, (k, hint) -> Block.pooled(pool.take(n), pool)).release();
        }
        ByteBuffer small = pool.take(10);
        assertEquals(10, small.capacity());
        assertTrue(pool.outstanding() <= 2L * n, pool.outstanding() + " bytes out, budget " + 2L * n);
    }

    @Test
    void take_overBudgetWaitsForAReaderToLetGo() throws Exception {
        int n = 1024;
        BufferPool pool = new BufferPool(n, 4, 2L * n, bytes -> false, Duration.ofSeconds(30));
        Block a = Block.pooled(pool.take(n), pool);
        Block.pooled(pool.take(n), pool);
        CompletableFuture<ByteBuffer> third = CompletableFuture.supplyAsync(() -> pool.take(n));
        Thread.sleep(200);
        assertFalse(third.isDone(), "the budget is held by readers: the taker waits");
        a.release();
        ByteBuffer b = third.get(10, TimeUnit.SECONDS);
        assertEquals(1, pool.reuses(), "the memory let go of went to the waiting taker");
        assertEquals(2L * n, pool.outstanding(), "still within the budget");
        assertEquals(n, b.capacity());
    }

    @Test
    void release_beyondTheHoldsIsRefused() {
        Block block = Block.of(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        block.release();
        assertThrows(IllegalStateException.class, block::release);
        assertFalse(block.retain(), "a block let go of by all can never be held again");
    }
}
