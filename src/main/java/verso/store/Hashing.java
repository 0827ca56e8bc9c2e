package verso.store;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the one hash verso uses for every object. */
public final class Hashing {
    /**
     * A digest that is never updated, only cloned: a clone is a copy of its state, where
     * {@code MessageDigest.getInstance} looks the algorithm up among the security providers on every
     * call (once per object read, hashed or verified).
     */
    private static final MessageDigest PROTOTYPE = newDigest();

    private Hashing() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return newDigest();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static ObjectId hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    public static ObjectId hash(byte[] data, int offset, int length) {
        MessageDigest md = sha256();
        md.update(data, offset, length);
        return ObjectId.fromBytes(md.digest());
    }
}
