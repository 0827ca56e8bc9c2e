package verso.store;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.LongConsumer;

/**
 * Hashes files and stores them in an {@link ObjectStore}, block by block, in parallel.
 *
 * <p>Design: a file is cut into fixed-size blocks; each block is read once into a per-thread buffer,
 * hashed, and written to the store only if absent. The buffers are direct, so block bytes go from the
 * file to the store without a round trip through the Java heap. A file of at most one block is a single blob;
 * a larger one becomes a {@link BlockIndex} naming its blocks. Blocks of one file and blocks of
 * many files are spread over the same executor, so one 100 GiB file uses every core, and memory is
 * bounded by (threads x block size) plus a bounded queue of pending blocks: {@link #insert} blocks
 * the caller while too many blocks are in flight.
 */
public final class FileInserter {
    private final ObjectStore store;
    private final int blockSize;
    /** Blocks at least this large are mapped rather than read (mapping costs more than it saves below). */
    private static final int MAP_THRESHOLD = 1 << 20;

    private final Executor executor;
    private final Semaphore inFlight;
    private final ThreadLocal<ByteBuffer> buffers;
    private final LongConsumer progress;

    /** What a stored file's content is: a blob, or (chunked) a block index. */
    public record FileContent(ObjectId id, boolean chunked, long size) {
    }

    /**
     * @param maxInFlight blocks queued or running at once (bounds memory to this many blocks)
     * @param progress    called with the byte count of each block stored (may be a no-op)
     */
    public FileInserter(ObjectStore store, int blockSize, Executor executor, int maxInFlight, LongConsumer progress) {
        if (blockSize <= 0 || maxInFlight <= 0) {
            throw new IllegalArgumentException("block size and in-flight limit must be positive");
        }
        this.store = store;
        this.blockSize = blockSize;
        this.executor = executor;
        this.inFlight = new Semaphore(maxInFlight);
        this.buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Math.min(blockSize, MAP_THRESHOLD)));
        this.progress = progress;
    }

    public int blockSize() {
        return blockSize;
    }

    /**
     * Schedules a file of {@code size} bytes (as seen by the caller's scan). The future fails if the
     * file's size changed while it was read.
     */
    public CompletableFuture<FileContent> insert(Path file, long size) throws InterruptedException {
        int count = (int) Math.max(1, BlockIndex.blockCount(size, blockSize));
        List<CompletableFuture<ObjectId>> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long offset = (long) i * blockSize;
            int length = (int) Math.min(blockSize, size - offset);
            boolean last = i == count - 1;
            inFlight.acquire();
            blocks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return storeBlock(file, offset, length, last);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    inFlight.release();
                }
            }, executor));
        }
        return CompletableFuture.allOf(blocks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            if (count == 1 && size <= blockSize) {
                return new FileContent(blocks.get(0).join(), false, size);
            }
            List<ObjectId> ids = blocks.stream().map(CompletableFuture::join).toList();
            try {
                ObjectId index = store.insert(new BlockIndex(blockSize, size, ids).encode());
                return new FileContent(index, true, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Runs {@link #insert} and waits, unwrapping failures. */
    public FileContent insertAndWait(Path file, long size) throws IOException, InterruptedException {
        try {
            return insert(file, size).join();
        } catch (CompletionException e) {
            throw unwrap(e);
        }
    }

    /** The IOException behind a failed future, or a wrapper of the unexpected cause. */
    public static IOException unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof CompletionException || c instanceof UncheckedIOException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof RuntimeException re) {
            throw re;
        }
        return new IOException(c);
    }

    private ObjectId storeBlock(Path file, long offset, int length, boolean last) throws IOException {
        ObjectId id;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (last && ch.size() != offset + length) {
                throw new IOException(file + " changed size while it was being read; run the command again");
            }
            if (length >= MAP_THRESHOLD) {
                // Mapped: the bytes are hashed and written straight from the page cache, with no copy
                // into a buffer. A file truncated meanwhile faults, which the JVM reports as an error.
                try {
                    id = store.insert(ch.map(FileChannel.MapMode.READ_ONLY, offset, length));
                } catch (InternalError e) {
                    throw new IOException(file + " shrank while it was being read; run the command again", e);
                }
            } else {
                ByteBuffer bb = buffers.get().clear().limit(length);
                while (bb.hasRemaining()) {
                    if (ch.read(bb, offset + bb.position()) < 0) {
                        throw new EOFException(file + " shrank while it was being read; run the command again");
                    }
                }
                id = store.insert(bb.flip());
            }
        }
        progress.accept(length);
        return id;
    }
}
