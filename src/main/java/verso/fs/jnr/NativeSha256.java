package verso.fs.jnr;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import jnr.ffi.types.size_t;

/**
 * SHA-256 computed by OpenSSL's libcrypto, for the mount daemon.
 *
 * <p>The daemon's CPU goes to native work (sockets, FUSE replies, hashing), so it runs with the JVM's
 * quick compiler only: the optimising compiler's work in a fresh daemon cost more than its code saved.
 * The JDK's SHA-256 is fast only in that optimising compiler's code (its SHA-NI intrinsic), while
 * libcrypto's uses the same instructions whatever the JVM does. Bytes are hashed where they are: a
 * direct buffer by its address, a heap array pinned for the call.
 */
public final class NativeSha256 extends MessageDigest implements Cloneable {
    /** {@code SHA256_Init}, {@code SHA256_Update}, {@code SHA256_Final}: in every libcrypto since 0.9.8. */
    public interface Crypto {
        int SHA256_Init(@Pinned byte[] ctx);

        int SHA256_Update(@Pinned byte[] ctx, @Pinned @In ByteBuffer data, @size_t long length);

        int SHA256_Final(@Out byte[] digest, @Pinned byte[] ctx);
    }

    /** {@code sizeof(SHA256_CTX)} is 112 bytes; room to spare. */
    private static final int CONTEXT_BYTES = 128;
    private static final Crypto CRYPTO = load();

    private byte[] context = new byte[CONTEXT_BYTES];

    private NativeSha256() {
        super("SHA-256");
        CRYPTO.SHA256_Init(context);
    }

    /** A new digest, or null if libcrypto cannot be loaded (the JDK's digest is then the one to use). */
    public static MessageDigest create() {
        return CRYPTO == null ? null : new NativeSha256();
    }

    private static Crypto load() {
        for (String name : new String[] {"crypto", "libcrypto.so.3", "libcrypto.so.1.1"}) {
            try {
                Crypto c = LibraryLoader.create(Crypto.class).failImmediately().load(name);
                byte[] ctx = new byte[CONTEXT_BYTES];
                if (c.SHA256_Init(ctx) == 1) {
                    return c;
                }
            } catch (LinkageError e) {
                // not this name; try the next
            }
        }
        return null;
    }

    @Override
    protected void engineUpdate(byte input) {
        engineUpdate(new byte[] {input}, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int length) {
        engineUpdate(ByteBuffer.wrap(input, offset, length));
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        if (!input.isDirect() && !input.hasArray()) {
            super.engineUpdate(input); // a read-only heap buffer: copied, in pieces, to the method above
            return;
        }
        int n = input.remaining();
        if (n > 0) {
            CRYPTO.SHA256_Update(context, input, n);
            input.position(input.limit());
        }
    }

    @Override
    protected byte[] engineDigest() {
        byte[] digest = new byte[32];
        CRYPTO.SHA256_Final(digest, context);
        CRYPTO.SHA256_Init(context);
        return digest;
    }

    @Override
    protected void engineReset() {
        CRYPTO.SHA256_Init(context);
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = (NativeSha256) super.clone();
        copy.context = context.clone();
        return copy;
    }
}
