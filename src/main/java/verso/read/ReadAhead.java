package verso.read;

/**
 * Sequential-read detection and read-ahead for one open file of fixed-size blocks.
 *
 * <p>Design (after mountpoint-s3's prefetcher):
 * <ul>
 *   <li>A read is <em>sequential</em> if it starts within one window's worth of bytes after the
 *       furthest end read so far, or a little ({@code MAX_BEHIND}) before it. The kernel splits a
 *       reader's stream into requests of at most 128 KiB and, with several FUSE threads, they
 *       arrive slightly out of order; this tolerance keeps such a stream sequential. The furthest
 *       end only moves forward.</li>
 *   <li>Anything else is a <em>seek</em>: the window drops back to one block and nothing is
 *       fetched ahead until the reader has again made {@value #MIN_STREAK} sequential reads in a
 *       row. Random reads therefore never fetch ahead.</li>
 *   <li>While sequential, the blocks after the reader's current block, up to {@code window} of
 *       them, are requested; each time the reader enters a new block the window doubles, up to a
 *       maximum. Each block is requested once per run: the next block to request only moves
 *       forward.</li>
 * </ul>
 *
 * <p>The window is capped by the caller (a fraction of the block cache), so blocks fetched ahead
 * are not evicted before the reader gets to them.
 *
 * <p>The state is a few plain volatile fields updated without a lock, because this runs on every
 * 128 KiB read. Concurrent reads of one handle can race on them; the worst outcome is a window
 * doubled once too often or a block requested twice, and the block cache turns a repeated request
 * into a no-op. The heuristic may be imprecise under races; the bytes never are.
 */
public final class ReadAhead {
    /** Consecutive sequential reads needed before fetching ahead. */
    static final int MIN_STREAK = 2;
    /** How far behind the furthest end a read may start and still be sequential (kernel reordering). */
    static final long MAX_BEHIND = 2L << 20;

    /** Where requested blocks go; must not block (it queues a fetch). */
    @FunctionalInterface
    public interface Target {
        void prefetch(int block);
    }

    private final int blockSize;
    private final int lastBlock;
    private final int maxWindow;
    private final Target target;

    private volatile long furthestEnd;
    private volatile int window = 1;
    private volatile int streak;
    private volatile int currentBlock = -1;
    private volatile int nextToRequest;

    /**
     * @param maxWindow the most blocks requested ahead of the reader (at least 1)
     */
    public ReadAhead(int blockSize, long fileSize, int maxWindow, Target target) {
        if (blockSize <= 0 || fileSize < 0 || maxWindow < 1) {
            throw new IllegalArgumentException("invalid read-ahead parameters");
        }
        this.blockSize = blockSize;
        this.lastBlock = (int) ((fileSize + blockSize - 1) / blockSize) - 1;
        this.maxWindow = maxWindow;
        this.target = target;
    }

    /** Records a read of {@code length > 0} bytes at {@code offset} and requests blocks ahead if sequential. */
    public void onRead(long offset, int length) {
        long end = offset + length;
        long furthest = furthestEnd;
        long ahead = (long) window * blockSize;
        long behind = Math.min(ahead, MAX_BEHIND);
        if (offset < furthest - behind || offset > furthest + ahead) {
            seek(end);
            return;
        }
        if (end > furthest) {
            furthestEnd = end;
            furthest = end;
        }
        int s = streak;
        if (s < MIN_STREAK) {
            streak = s + 1;
            if (s + 1 < MIN_STREAK) {
                return;
            }
        }
        int block = (int) ((furthest - 1) / blockSize);
        int w = window;
        if (block > currentBlock) {
            if (currentBlock >= 0 && w < maxWindow) {
                w = Math.min(maxWindow, w * 2);
                window = w;
            }
            currentBlock = block;
        }
        int last = (int) Math.min(lastBlock, (long) block + w);
        int first = Math.max(nextToRequest, block + 1);
        if (first > last) {
            return;
        }
        nextToRequest = last + 1;
        for (int b = first; b <= last; b++) {
            target.prefetch(b);
        }
    }

    /** Blocks currently requested ahead of the reader's block, at most. */
    public int window() {
        return window;
    }

    private void seek(long end) {
        furthestEnd = end;
        window = 1;
        streak = 1;
        currentBlock = -1;
        nextToRequest = 0;
    }
}
