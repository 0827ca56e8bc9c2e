package verso.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import verso.cache.Block;
import verso.cache.BufferPool;
import verso.remote.Remote;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.PackLocator;

/**
 * Reads packed objects with their neighbours. Small files of one folder sit together in a pack, and a
 * reader of one usually reads the next ones: so a packed object is fetched with the objects that follow
 * it in its pack, up to {@link #WINDOW} bytes in one ranged GET, and the range is kept for the next
 * reads. A folder of small files then costs a GET per window instead of one per file.
 *
 * <p>Nothing here is verified: the caller hashes each object it takes from a window before any byte of
 * it is used, as it does for a GET, and calls {@link #drop} when one does not match, so a range spoiled
 * on the way is fetched again rather than kept. The last {@link #WINDOWS} ranges are kept, off the Java
 * heap, in buffers that are reused: a window is a {@link Block} held by this class while it keeps it
 * and by each reader while it copies an object out, so its buffer is reused only when nobody reads it.
 */
final class PackWindows {
    static final int WINDOW = 2 << 20;
    static final int WINDOWS = 8;
    private static final int CHUNK = 64 << 10;

    /** An object's bytes in a window, which the caller holds until {@link #close}. */
    record Slice(ByteBuffer bytes, Block window) implements AutoCloseable {
        /** The bytes as a stream, readable while the slice is held. */
        InputStream stream() {
            ByteBuffer b = bytes.duplicate();
            return new InputStream() {
                @Override
                public int read() {
                    return b.hasRemaining() ? b.get() & 0xff : -1;
                }

                @Override
                public int read(byte[] into, int off, int len) {
                    if (!b.hasRemaining()) {
                        return len == 0 ? 0 : -1;
                    }
                    int n = Math.min(len, b.remaining());
                    b.get(into, off, n);
                    return n;
                }
            };
        }

        @Override
        public void close() {
            window.release();
        }
    }

    private record Window(ObjectId pack, long start, Block block) {
        boolean covers(PackLocator.Location at) {
            return pack.equals(at.pack()) && at.offset() >= start
                    && at.offset() + at.size() <= start + block.bytes().limit();
        }
    }

    private final Remote remote;
    private final BufferPool buffers = new BufferPool(WINDOW, WINDOWS);
    private final Deque<Window> recent = new ArrayDeque<>();

    PackWindows(Remote remote) {
        this.remote = remote;
    }

    /**
     * The bytes of the object at {@code at} in a window kept or fetched now with its followers, held
     * for the caller; null if no neighbour fits in a window with it (then stream it alone with
     * {@link #single}).
     */
    Slice open(PackLocator.Location at) throws IOException {
        Window w = find(at);
        if (w == null) {
            long end = windowEnd(at);
            if (end == at.offset() + at.size()) {
                return null;
            }
            w = new Window(at.pack(), at.offset(), fetch(at, (int) (end - at.offset())));
            keep(w);
        }
        // (a window shorter than asked for may end inside the object: the caller's check then fails)
        int from = (int) (at.offset() - w.start());
        ByteBuffer bytes = w.block().bytes();
        return new Slice(bytes.slice(from, (int) Math.min(at.size(), bytes.limit() - from)), w.block());
    }

    /** The bytes of the object at {@code at} alone, streamed by one ranged GET. */
    InputStream single(PackLocator.Location at) throws IOException {
        return remote.get(Layout.packKey(at.pack()), at.offset(), at.size());
    }

    /** Forgets the window holding {@code at}: one of its objects did not match its id. */
    synchronized void drop(PackLocator.Location at) {
        recent.removeIf(w -> {
            if (w.covers(at)) {
                w.block().release();
                return true;
            }
            return false;
        });
    }

    /** The range read into a window buffer, as a block held twice: once for the caller, once to keep. */
    private Block fetch(PackLocator.Location at, int length) throws IOException {
        ByteBuffer memory = buffers.take(WINDOW).limit(length);
        boolean done = false;
        try (InputStream in = remote.get(Layout.packKey(at.pack()), at.offset(), length)) {
            byte[] chunk = new byte[Math.min(CHUNK, length)];
            int n;
            while (memory.hasRemaining() && (n = in.read(chunk, 0, Math.min(chunk.length, memory.remaining()))) > 0) {
                memory.put(chunk, 0, n);
            }
            memory.flip(); // a short answer makes a short window: the objects past its end are not in it
            done = true;
        } finally {
            if (!done) {
                buffers.recycle(memory);
            }
        }
        Block block = Block.pooled(memory, buffers);
        block.retain();
        return block;
    }

    /** The window covering {@code at}, held for the caller, or null. */
    private synchronized Window find(PackLocator.Location at) {
        for (Window w : recent) {
            if (w.covers(at) && w.block().retain()) {
                return w;
            }
        }
        return null;
    }

    private synchronized void keep(Window w) {
        recent.addFirst(w);
        while (recent.size() > WINDOWS) {
            recent.removeLast().block().release();
        }
    }

    /** The end of the whole objects from {@code at} on that fit in one window (at least {@code at}'s own). */
    private static long windowEnd(PackLocator.Location at) {
        PackIndex index = at.index();
        long limit = at.offset() + Math.max(WINDOW, at.size());
        int last = at.position();
        while (last + 1 < index.count() && index.offset(last + 1) + index.size(last + 1) <= limit) {
            last++;
        }
        return index.offset(last) + index.size(last);
    }
}
