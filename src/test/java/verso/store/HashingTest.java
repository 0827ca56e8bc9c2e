package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

final class HashingTest {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void sha256_givesIndependentDigests_eachStartingEmpty() {
        MessageDigest first = Hashing.sha256();
        first.update("x".getBytes(StandardCharsets.US_ASCII)); // never seen by the next ones
        MessageDigest second = Hashing.sha256();
        second.update("abc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(ABC, HexFormat.of().formatHex(second.digest()));
        assertEquals(ABC, Hashing.hash("abc".getBytes(StandardCharsets.US_ASCII)).hex());
        first.update("yz".getBytes(StandardCharsets.US_ASCII));
        assertEquals(HexFormat.of().formatHex(newDigest().digest("xyz".getBytes(StandardCharsets.US_ASCII))),
                HexFormat.of().formatHex(first.digest()));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
