package verso.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the one hash verso uses for every object. */
public final class Hashing {
    /**
     * A digest that is never updated, only cloned: a clone is a copy of its state, where
     * {@code MessageDigest.getInstance} looks the algorithm up among the security providers on every
     * call (once per object read, hashed or verified).
     */
    private static volatile MessageDigest prototype = newDigest();

    private Hashing() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            return newDigest();
        }
    }

    /**
     * Makes {@link #sha256()} return clones of {@code digest} from now on, in this process: another
     * implementation of SHA-256 (the mount daemon's, in native code), which must support {@code clone}.
     */
    public static void use(MessageDigest digest) {
        if (!"SHA-256".equals(digest.getAlgorithm())) {
            throw new IllegalArgumentException("not a SHA-256 digest: " + digest.getAlgorithm());
        }
        digest.reset();
        prototype = digest;
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

    /**
     * Decodes {@code in} while hashing it, reads on to its end and checks the hash: the decoded form only
     * if the bytes are the object's, so that a large object is never held as bytes beside its decoded
     * form. Content that does not match is reported as such ("WHAT does not match its id"), even where
     * the decoder refused it first.
     */
    public static <T> T decodeVerified(ObjectId id, InputStream in, Decoder<T> decoder, String what)
            throws IOException {
        MessageDigest md = sha256();
        DigestInputStream hashed = new DigestInputStream(in, md);
        T decoded;
        try {
            decoded = decoder.decode(hashed);
        } catch (CorruptObjectException e) {
            hashed.transferTo(OutputStream.nullOutputStream());
            check(id, md, what); // bytes that are not the object's are that failure, not a malformed object
            throw e;
        }
        hashed.transferTo(OutputStream.nullOutputStream());
        check(id, md, what);
        return decoded;
    }

    /** Fails with "WHAT does not match its id" unless {@code md}, which hashed an object's bytes, gives {@code id}. */
    public static void check(ObjectId id, MessageDigest md, String what) throws CorruptObjectException {
        if (!ObjectId.fromBytes(md.digest()).equals(id)) {
            throw new CorruptObjectException(id, what + " does not match its id");
        }
    }
}
