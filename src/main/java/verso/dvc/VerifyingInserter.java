package verso.dvc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.LongConsumer;
import verso.store.BlockIndex;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;
import verso.store.ObjectStore;

/**
 * Stores a DVC object in verso while checking it against DVC's md5, reading it once.
 *
 * <p>Design: objects are cut exactly as {@code verso add} cuts files (one blob up to one block, else
 * blocks and a block index), so they become the same objects {@code add} would write. A file of one
 * block is read into a buffer, its md5 checked, and only then stored. A larger file is mapped block by
 * block: the calling thread feeds each block to the MD5, which is sequential by nature, and hands it to
 * the {@code hashers} executor for SHA-256 and storing, so the two hashes of one file run on two cores
 * at once; at most {@code maxInFlight} blocks wait there. The call returns only when every block it
 * handed over is done, and stores the block index only after the md5 matched: on a mismatch nothing
 * references the blocks and gc removes them. DVC 2 hashed text files with CRLF turned into LF; when
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
    private final Executor hashers;
    private final Semaphore inFlight;
    private final ThreadLocal<ByteBuffer> buffers;

    /** Hashes and stores blocks on the calling thread (one core per file). */
    VerifyingInserter(ObjectStore store, int blockSize) {
        this(store, blockSize, Runnable::run, 1);
    }

    /**
     * @param hashers     runs the SHA-256 and store of a large file's blocks; its threads must never wait
     *                    for the threads that call {@link #insert} (give it threads of its own)
     * @param maxInFlight blocks handed to {@code hashers} and not yet stored, at most
     */
    VerifyingInserter(ObjectStore store, int blockSize, Executor hashers, int maxInFlight) {
        if (blockSize <= 0 || maxInFlight <= 0) {
            throw new IllegalArgumentException("block size and in-flight limit must be positive");
        }
        this.store = store;
        this.blockSize = blockSize;
        this.hashers = hashers;
        this.inFlight = new Semaphore(maxInFlight);
        this.buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(blockSize));
    }

    /**
     * Stores {@code file} if its md5 is {@code md5} ({@code legacy}: or its DVC 2 text md5); throws
     * {@link Mismatch} otherwise. {@code progress} gets the bytes stored (from the hashers' threads).
     */
    FileContent insert(Path file, String md5, boolean legacy, LongConsumer progress) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            return size <= blockSize ? insertOne(ch, (int) size, file, md5, legacy, progress)
                    : insertBlocks(ch, size, file, md5, legacy, progress);
        }
    }

    private FileContent insertOne(FileChannel ch, int size, Path file, String md5, boolean legacy,
                                  LongConsumer progress) throws IOException {
        ByteBuffer bb = buffers.get();
        bb.clear().limit(size);
        while (bb.hasRemaining()) {
            if (ch.read(bb, bb.position()) < 0) {
                throw new EOFException(file + " shrank while it was being read");
            }
        }
        bb.flip();
        MessageDigest digest = Md5.digest();
        digest.update(bb.duplicate());
        if (!matches(digest, md5, legacy, file)) {
            throw new Mismatch("different content");
        }
        ObjectId id = store.insert(bb);
        progress.accept(size);
        return new FileContent(id, false, size);
    }

    private FileContent insertBlocks(FileChannel ch, long size, Path file, String md5, boolean legacy,
                                     LongConsumer progress) throws IOException {
        MessageDigest digest = Md5.digest();
        List<CompletableFuture<ObjectId>> blocks = new ArrayList<>();
        try {
            for (long offset = 0; offset < size; offset += blockSize) {
                int length = (int) Math.min(blockSize, size - offset);
                ByteBuffer block = ch.map(FileChannel.MapMode.READ_ONLY, offset, length);
                try {
                    digest.update(block.duplicate());
                } catch (InternalError e) {
                    throw shrank(file, e);
                }
                try {
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + file);
                }
                try {
                    blocks.add(CompletableFuture.supplyAsync(() -> storeBlock(block, file, progress), hashers));
                } catch (RuntimeException e) {
                    inFlight.release();
                    throw e;
                }
            }
        } finally {
            // Nothing this call started outlives it, whatever happens.
            for (CompletableFuture<ObjectId> b : blocks) {
                try {
                    b.join();
                } catch (CompletionException ignored) {
                    // reported below, if the md5 matched
                }
            }
        }
        if (!matches(digest, md5, legacy, file)) {
            throw new Mismatch("different content");
        }
        List<ObjectId> ids = new ArrayList<>(blocks.size());
        for (CompletableFuture<ObjectId> b : blocks) {
            try {
                ids.add(b.join());
            } catch (CompletionException e) {
                throw FileInserter.unwrap(e);
            }
        }
        return new FileContent(store.insert(new BlockIndex(blockSize, size, ids).encode()), true, size);
    }

    private ObjectId storeBlock(ByteBuffer block, Path file, LongConsumer progress) {
        try {
            ObjectId id = store.insert(block);
            progress.accept(block.remaining());
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InternalError e) {
            throw new UncheckedIOException(shrank(file, e));
        } finally {
            inFlight.release();
        }
    }

    /** A mapped file that shrank faults on access, which the JVM reports as an InternalError. */
    private static IOException shrank(Path file, InternalError e) {
        return new IOException(file + " shrank while it was being read", e);
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
