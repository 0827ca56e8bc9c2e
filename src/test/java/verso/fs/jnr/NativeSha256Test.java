package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import verso.store.Hashing;

class NativeSha256Test {
    private static final byte[] DATA = new byte[3 << 20];

    static {
        new Random(7).nextBytes(DATA);
    }

    private static byte[] jdk(int offset, int length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(DATA, offset, length);
        return md.digest();
    }

    private static MessageDigest sha() {
        MessageDigest md = NativeSha256.create();
        assertNotNull(md, "libcrypto could not be loaded");
        return md;
    }

    @Test
    void heapArrays_hashAsTheJdkDoes_atAnyOffsetAndLength() throws Exception {
        for (int[] c : new int[][] {{0, 0}, {0, 1}, {5, 63}, {3, 64}, {1, 65}, {17, 1 << 20}, {0, DATA.length}}) {
            MessageDigest md = sha();
            md.update(DATA, c[0], c[1]);
            assertArrayEquals(jdk(c[0], c[1]), md.digest(), "offset " + c[0] + ", length " + c[1]);
        }
    }

    @Test
    void buffers_heapAndDirect_hashFromTheirPositionToTheirLimit() throws Exception {
        ByteBuffer direct = ByteBuffer.allocateDirect(DATA.length).put(DATA).clear();
        for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.wrap(DATA), direct}) {
            MessageDigest md = sha();
            md.update(b.duplicate().position(1000).limit(900_000));
            assertArrayEquals(jdk(1000, 899_000), md.digest(), b.isDirect() ? "direct" : "heap");
        }
        MessageDigest readOnly = sha();
        readOnly.update(ByteBuffer.wrap(DATA).asReadOnlyBuffer().position(5));
        assertArrayEquals(jdk(5, DATA.length - 5), readOnly.digest(), "a read-only heap buffer");
        ByteBuffer slice = direct.duplicate().position(77).slice();
        MessageDigest md = sha();
        md.update(slice);
        assertArrayEquals(jdk(77, DATA.length - 77), md.digest(), "a slice of a direct buffer");
        assertEquals(0, slice.remaining(), "the buffer is consumed");
    }

    @Test
    void piecesClonesAndResets_keepTheirOwnState() throws Exception {
        MessageDigest md = sha();
        md.update(DATA, 0, 1000);
        MessageDigest copy = (MessageDigest) md.clone();
        md.update(DATA, 1000, 5000);
        copy.update((byte) 9);
        assertArrayEquals(jdk(0, 6000), md.digest());
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        expected.update(DATA, 0, 1000);
        expected.update((byte) 9);
        assertArrayEquals(expected.digest(), copy.digest());
        md.update(DATA, 10, 20);
        md.reset();
        md.update(DATA, 0, 100);
        assertArrayEquals(jdk(0, 100), md.digest(), "after a reset");
        assertArrayEquals(jdk(0, 0), md.digest(), "digest() starts afresh");
    }

    @Test
    void hashing_usesItOnceInstalled() throws Exception {
        MessageDigest before = Hashing.sha256();
        try {
            Hashing.use(sha());
            MessageDigest md = Hashing.sha256();
            md.update(DATA, 3, 4096);
            assertArrayEquals(jdk(3, 4096), md.digest());
            assertTrue(md instanceof NativeSha256, md.getClass().getName());
        } finally {
            Hashing.use(before);
        }
    }
}
