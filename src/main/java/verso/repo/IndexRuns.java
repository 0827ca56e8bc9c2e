package verso.repo;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The records a command adds to one section of the workspace index, from any thread and in any
 * order, to be merged in walk order into the next index file.
 *
 * <p>Design: an external sort. Records gather in memory up to a chunk; a full chunk is sorted and
 * written to a temp file as a run. {@link #cursors} reads every run and the last chunk, each in
 * order, for a merge that keeps, of several records of one path, the newest. Memory holds one chunk
 * and a read buffer per run, whatever the number of records.
 */
final class IndexRuns implements Closeable {
    /** One record: a path and its payload. */
    record Rec(byte[] path, byte[] payload) {
    }

    /** Records in walk order; {@link #peek} is null at the end. */
    interface Cursor extends Closeable {
        Rec peek();

        void next() throws IOException;

        @Override
        default void close() throws IOException {
        }
    }

    private final Path dir;
    private final int chunk;
    private List<Rec> pending = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private boolean spillable = true;

    /** Runs are written to {@code dir}; a chunk holds up to {@code chunk} records. */
    IndexRuns(Path dir, int chunk) {
        this.dir = dir;
        this.chunk = chunk;
    }

    synchronized void add(byte[] path, byte[] payload) {
        if (payload.length > 0xffff) {
            throw new IllegalArgumentException("index payload too long");
        }
        pending.add(new Rec(path, payload));
        if (pending.size() >= chunk && spillable) {
            try {
                spill();
            } catch (IOException e) {
                spillable = false; // a read-only repository: the records stay in memory
            }
        }
    }

    synchronized boolean isEmpty() {
        return pending.isEmpty() && runs.isEmpty();
    }

    /** The chunk sorted in walk order, keeping the last record added of each path. */
    private static List<Rec> sorted(List<Rec> recs) {
        List<Rec> s = new ArrayList<>(recs);
        s.sort((a, b) -> IndexTable.comparePaths(a.path, b.path)); // stable: the last added stays last
        List<Rec> out = new ArrayList<>(s.size());
        for (Rec r : s) {
            if (!out.isEmpty() && IndexTable.comparePaths(out.get(out.size() - 1).path, r.path) == 0) {
                out.set(out.size() - 1, r);
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private void spill() throws IOException {
        Path run = dir.resolve(AtomicFile.TEMP_PREFIX + "index-run-" + UUID.randomUUID());
        run.toFile().deleteOnExit();
        runs.add(run);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
            for (Rec r : sorted(pending)) {
                write(out, r);
            }
        }
        pending = new ArrayList<>();
    }

    static void write(DataOutputStream out, Rec r) throws IOException {
        out.writeInt(r.path.length);
        out.write(r.path);
        out.writeShort(r.payload.length);
        out.write(r.payload);
    }

    /** Cursors over the runs, oldest first, then over the records still in memory (newest). */
    synchronized List<Cursor> cursors() throws IOException {
        List<Cursor> out = new ArrayList<>();
        for (Path run : runs) {
            out.add(new RunCursor(run));
        }
        List<Rec> last = sorted(pending);
        out.add(new Cursor() {
            private int i;

            @Override
            public Rec peek() {
                return i < last.size() ? last.get(i) : null;
            }

            @Override
            public void next() {
                i++;
            }
        });
        return out;
    }

    private static final class RunCursor implements Cursor {
        private final DataInputStream in;
        private Rec cur;

        RunCursor(Path run) throws IOException {
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 1 << 16));
            next();
        }

        @Override
        public Rec peek() {
            return cur;
        }

        @Override
        public void next() throws IOException {
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                cur = null;
                return;
            }
            byte[] path = new byte[len];
            in.readFully(path);
            byte[] payload = new byte[in.readUnsignedShort()];
            in.readFully(payload);
            cur = new Rec(path, payload);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Deletes the runs (best effort: they are temp files). */
    @Override
    public synchronized void close() {
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException e) {
                // A temp file; the JVM deletes it on exit too.
            }
        }
        runs.clear();
        pending = new ArrayList<>();
    }
}
