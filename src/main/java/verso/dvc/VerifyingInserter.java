package verso.dvc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import verso.store.BlockIndex;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Stores a DVC object in verso while checking it against DVC's md5, reading it once.
 *
 * <p>Design: the file is read sequentially in verso's block size; each block feeds the MD5 (which is
 * sequential by nature) and is then hashed with SHA-256 and stored, exactly as {@code verso add} cuts
 * files (one blob up to one block, else blocks and a block index), so the objects are the same ones
 * {@code add} would write. A file of one block is stored only once its md5 matched. A larger one's
 * blocks are stored as they are read, but its block index only after the md5 matched: on a mismatch
 * nothing references them and gc removes them. DVC 2 hashed text files with CRLF turned into LF; when
 * the plain md5 of such an output differs and the file looks like text (DVC's test of its first
 * 512 bytes), that md5 is computed too, in a second read of this rare case only.
 */
final class VerifyingInserter {
    /** The md5 of a file is not what DVC recorded. */
    static final class Mismatch extends IOException {
        Mismatch(String actual) {
            super(actual);
        }
    }

    private static final int TEXT_SAMPLE = 512;

    private final ObjectStore store;
    private final int blockSize;
    private final ThreadLocal<ByteBuffer> buffers;

    VerifyingInserter(ObjectStore store, int blockSize) {
        this.store = store;
        this.blockSize = blockSize;
        this.buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(blockSize));
    }

    /**
     * Stores {@code file} if its md5 is {@code md5} ({@code legacy}: or its DVC 2 text md5); throws
     * {@link Mismatch} otherwise. {@code progress} gets the bytes read.
     */
    FileContent insert(Path file, String md5, boolean legacy, LongConsumer progress) throws IOException {
        MessageDigest digest = Md5.digest();
        List<ObjectId> blocks = new ArrayList<>();
        ByteBuffer bb = buffers.get();
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            long offset = 0;
            do {
                int length = (int) Math.min(blockSize, size - offset);
                bb.clear().limit(length);
                while (bb.hasRemaining()) {
                    if (ch.read(bb, offset + bb.position()) < 0) {
                        throw new EOFException(file + " shrank while it was being read");
                    }
                }
                bb.flip();
                digest.update(bb.duplicate());
                boolean single = offset == 0 && length == size;
                if (single) {
                    if (!matches(digest, md5, legacy, file)) {
                        throw new Mismatch("different content");
                    }
                    progress.accept(length);
                    return new FileContent(store.insert(bb), false, size);
                }
                blocks.add(store.insert(bb));
                progress.accept(length);
                offset += length;
            } while (offset < size);
        }
        if (!matches(digest, md5, legacy, file)) {
            throw new Mismatch("different content");
        }
        return new FileContent(store.insert(new BlockIndex(blockSize, size, blocks).encode()), true, size);
    }

    private static boolean matches(MessageDigest digest, String md5, boolean legacy, Path file) throws IOException {
        String actual = Md5.hex(digest.digest());
        return actual.equals(md5) || legacy && looksLikeText(file) && md5.equals(textMd5(file));
    }

    /** DVC's test: empty, or no NUL and at most 30% of bytes outside printable ASCII and common controls. */
    static boolean looksLikeText(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(TEXT_SAMPLE);
        }
        int odd = 0;
        for (byte b : head) {
            int c = b & 0xff;
            if (c == 0) {
                return false;
            }
            boolean text = c >= 32 && c < 127 || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\b';
            if (!text) {
                odd++;
            }
        }
        return head.length == 0 || odd * 10 <= head.length * 3;
    }

    /** The md5 of the file with every CRLF turned into LF. */
    static String textMd5(Path file) throws IOException {
        MessageDigest d = Md5.digest();
        byte[] buf = new byte[1 << 16];
        byte[] out = new byte[buf.length + 1];
        boolean pendingCr = false;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int o = 0;
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (pendingCr) {
                        pendingCr = false;
                        if (b != '\n') {
                            out[o++] = '\r';
                        }
                    }
                    if (b == '\r') {
                        pendingCr = true;
                    } else {
                        out[o++] = b;
                    }
                }
                d.update(out, 0, o);
            }
        }
        if (pendingCr) {
            d.update((byte) '\r');
        }
        return Md5.hex(d.digest());
    }
}
