package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HugePageMemoryTest {
    @Test
    void buffersAreWritableDirectMemory_unmappedWhenFreed() {
        HugePageMemory memory = new HugePageMemory();
        ByteBuffer a = memory.allocate(4 << 20);
        ByteBuffer b = memory.allocate(4 << 20);
        assertTrue(a.isDirect());
        assertEquals(4 << 20, a.capacity());
        for (int i = 0; i < a.capacity(); i += 4096) {
            a.put(i, (byte) i);
            b.put(i, (byte) ~i);
        }
        for (int i = 0; i < a.capacity(); i += 4096) {
            assertEquals((byte) i, a.get(i));
            assertEquals((byte) ~i, b.get(i));
        }
        assertEquals(2, memory.allocations());
        memory.free(a);
        memory.free(a.duplicate()); // a second free of the same mapping does nothing
        assertEquals(1, memory.allocations());
        memory.free(b);
        assertEquals(0, memory.allocations());
    }
}
