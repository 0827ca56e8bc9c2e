package verso.read;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import verso.cache.BlockCache;
import verso.remote.InMemoryRemote;
import verso.remote.Remote;
import verso.remote.RemoteFile;
import verso.store.BlockIndex;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.TreeEntry;

/**
 * A manual throughput check of the in-process data path (not a test): files of 4 MiB blocks on an
 * in-memory remote that adds a fixed latency per GET, read in 128 KiB requests as the kernel does.
 * Run: {@code java -cp target/classes:target/test-classes:<deps> verso.repo.ReadThroughput [MiB] [latencyMs]}
 */
public final class ReadThroughput {
    private static final int BLOCK = BlockIndex.DEFAULT_BLOCK_SIZE;
    private static final int READ = 128 << 10;

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 512;
        int latencyMs = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        InMemoryRemote store = new InMemoryRemote();
        Remote remote = new SlowRemote(store, latencyMs);
        List<TreeEntry> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(storeFile(store, (long) mib << 20 >> (i == 0 ? 0 : 2), i));
        }
        BlockCache cache = new BlockCache(512L << 20);
        try (BlockReader reader = new BlockReader(new ObjectReader(null, remote, cache))) {
            long t = System.nanoTime();
            readAll(reader, files.get(0));
            report("cold sequential " + mib + " MiB", files.get(0).size(), t);
            TreeEntry quarter = files.get(1);
            readAll(reader, quarter);
            t = System.nanoTime();
            readAll(reader, quarter);
            report("warm re-read " + (quarter.size() >> 20) + " MiB", quarter.size(), t);
            cache.invalidateAll();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            t = System.nanoTime();
            List<Future<?>> all = new ArrayList<>();
            long total = 0;
            for (TreeEntry f : files.subList(1, 5)) {
                all.add(pool.submit(() -> readAll(reader, f)));
                total += f.size();
            }
            for (Future<?> f : all) {
                f.get();
            }
            report("4 parallel cold readers", total, t);
            pool.shutdown();
            System.out.println(reader.stats().summary());
        }
    }

    private static void report(String what, long bytes, long startNanos) {
        double s = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("%-28s %8.0f MB/s (%.2f s)%n", what, bytes / 1e6 / s, s);
    }

    private static Void readAll(BlockReader reader, TreeEntry entry) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(READ);
        try (ContentSource.OpenFile f = reader.open(entry)) {
            long off = 0;
            int n;
            while ((n = f.read(off, buf.clear())) > 0) {
                off += n;
            }
        }
        return null;
    }

    private static TreeEntry storeFile(InMemoryRemote store, long size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<ObjectId> blocks = new ArrayList<>();
        for (long off = 0; off < size; off += BLOCK) {
            byte[] b = new byte[(int) Math.min(BLOCK, size - off)];
            for (int i = 0; i + 8 <= b.length; i += 8) {
                long v = random.nextLong();
                for (int k = 0; k < 8; k++) {
                    b[i + k] = (byte) (v >>> (8 * k));
                }
            }
            ObjectId id = Hashing.hash(b);
            store.put("objects/" + id.fanoutPath(), b);
            blocks.add(id);
        }
        byte[] index = new BlockIndex(BLOCK, size, blocks).encode();
        ObjectId id = Hashing.hash(index);
        store.put("objects/" + id.fanoutPath(), index);
        return TreeEntry.file("f" + seed, size, false, id, true);
    }

    /** Adds a first-byte latency to every GET, as a network store would. */
    private static final class SlowRemote implements Remote {
        private final Remote delegate;
        private final int latencyMs;

        SlowRemote(Remote delegate, int latencyMs) {
            this.delegate = delegate;
            this.latencyMs = latencyMs;
        }

        @Override
        public InputStream get(String key, long offset, long length) throws IOException {
            try {
                Thread.sleep(latencyMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return delegate.get(key, offset, length);
        }

        @Override
        public void put(String key, byte[] data) throws IOException {
            delegate.put(key, data);
        }

        @Override
        public void put(String key, Path file) throws IOException {
            delegate.put(key, file);
        }

        @Override
        public boolean exists(String key) throws IOException {
            return delegate.exists(key);
        }

        @Override
        public long size(String key) throws IOException {
            return delegate.size(key);
        }

        @Override
        public void list(String prefix, Consumer<RemoteFile> key) throws IOException {
            delegate.list(prefix, key);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public String describe() {
            return "slow " + delegate.describe();
        }
    }
}
