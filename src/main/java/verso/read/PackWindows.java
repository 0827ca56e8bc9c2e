package verso.read;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
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
 * on the way is fetched again rather than kept. The last {@link #WINDOWS} ranges are kept, in the heap:
 * at most {@code WINDOWS × WINDOW} bytes.
 */
final class PackWindows {
    static final int WINDOW = 2 << 20;
    static final int WINDOWS = 8;

    private record Window(ObjectId pack, long start, byte[] bytes) {
        boolean covers(PackLocator.Location at) {
            return pack.equals(at.pack()) && at.offset() >= start && at.offset() + at.size() <= start + bytes.length;
        }
    }

    private final Remote remote;
    private final Deque<Window> recent = new ArrayDeque<>();

    PackWindows(Remote remote) {
        this.remote = remote;
    }

    /** The bytes of the object at {@code at}: from a window kept, else fetched with its followers. */
    InputStream open(PackLocator.Location at) throws IOException {
        Window w = find(at);
        if (w == null) {
            long end = windowEnd(at);
            String key = Layout.packKey(at.pack());
            if (end == at.offset() + at.size()) {
                return remote.get(key, at.offset(), at.size()); // no neighbour fits: stream it alone
            }
            byte[] bytes;
            try (InputStream in = remote.get(key, at.offset(), end - at.offset())) {
                bytes = in.readNBytes((int) (end - at.offset()));
            }
            w = new Window(at.pack(), at.offset(), bytes);
            keep(w);
        }
        int from = (int) (at.offset() - w.start());
        return new ByteArrayInputStream(w.bytes(), from, (int) Math.min(at.size(), w.bytes().length - from));
    }

    /** Forgets the window holding {@code at}: one of its objects did not match its id. */
    synchronized void drop(PackLocator.Location at) {
        recent.removeIf(w -> w.covers(at));
    }

    private synchronized Window find(PackLocator.Location at) {
        for (Window w : recent) {
            if (w.covers(at)) {
                return w;
            }
        }
        return null;
    }

    private synchronized void keep(Window w) {
        recent.addFirst(w);
        while (recent.size() > WINDOWS) {
            recent.removeLast();
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
