package verso.read;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import verso.store.BlockIndex;
import verso.store.DaemonThreads;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * Fills the disk cache with the objects of some files, so that a job's first read of them needs no
 * remote: {@code verso prefetch}.
 *
 * <p>Design: a walk first, then the data. The walk loads the directory trees and block indexes below
 * the given entries (through the {@link ObjectReader}, so they land in the disk cache too) and lists
 * every data object: a small file's blob, a large file's blocks. Then {@code threads} workers make sure
 * each is on disk — objects the local store or the disk cache already hold are skipped, others are
 * fetched, verified and written — reporting bytes as they go. A failure is recorded with the path it
 * belongs to and the rest carries on, so one missing object names itself rather than stopping the job.
 */
public final class Prefetcher {
    /** Something that could not be prefetched: a path (and block), and why. */
    public record Failure(String path, String reason) {
    }

    /** What a prefetch did: data objects, bytes fetched now, bytes already on disk, failures. */
    public record Result(long objects, long fetchedBytes, long presentBytes, List<Failure> failures) {
    }

    /** A data object of a file: its path for messages, its id, its size. */
    private record Item(String path, ObjectId id, int size) {
    }

    private final ObjectReader objects;
    private final int threads;

    public Prefetcher(ObjectReader objects, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("prefetch needs at least one thread");
        }
        this.objects = Objects.requireNonNull(objects, "objects");
        this.threads = threads;
    }

    /**
     * The entry at {@code path} ({@code a/b/c}, relative to the version's root) in {@code version}, named
     * {@code path}; null if there is none. Trees on the way are loaded (and so cached).
     */
    public TreeEntry find(Version version, String path) throws IOException {
        String p = path.replaceAll("/+$", "");
        for (TreeEntry tracked : version.paths()) {
            String name = tracked.name();
            if (p.equals(name)) {
                return tracked;
            }
            if (p.startsWith(name + "/")) {
                TreeEntry e = tracked;
                for (String seg : p.substring(name.length() + 1).split("/+")) {
                    if (e.type() != EntryType.DIR) {
                        return null;
                    }
                    e = Tree.decode(e.id(), objects.load(e.id())).find(seg);
                    if (e == null) {
                        return null;
                    }
                }
                return e;
            }
        }
        return null;
    }

    /** The data objects below {@code entries} (each with the path it is shown at), and the walk's failures. */
    public Plan plan(List<String> paths, List<TreeEntry> entries) {
        Plan plan = new Plan();
        for (int i = 0; i < entries.size(); i++) {
            walk(paths.get(i), entries.get(i), plan, 0);
        }
        return plan;
    }

    /** The objects a prefetch will make sure of, and the bytes they hold. */
    public static final class Plan {
        private final List<Item> items = new ArrayList<>();
        private final List<Failure> failures = new ArrayList<>();
        private long bytes;

        public long bytes() {
            return bytes;
        }

        public int objects() {
            return items.size();
        }
    }

    private void walk(String path, TreeEntry e, Plan plan, int depth) {
        try {
            if (e.type() == EntryType.DIR) {
                Tree.checkDepth(e.id(), depth);
                Tree t = Tree.decode(e.id(), objects.load(e.id()));
                for (TreeEntry child : t.entries()) {
                    walk(path + "/" + child.name(), child, plan, depth + 1);
                }
            } else if (e.type() == EntryType.FILE && e.size() > 0) {
                if (!e.chunked()) {
                    plan.items.add(new Item(path, e.id(), (int) e.size()));
                    plan.bytes += e.size();
                    return;
                }
                BlockIndex index = BlockIndex.decode(e.id(), objects.load(e.id()));
                long offset = 0;
                for (int b = 0; b < index.blocks().size(); b++) {
                    int len = (int) Math.min(index.blockSize(), index.size() - offset);
                    plan.items.add(new Item(path + " (block " + b + ")", index.blocks().get(b), len));
                    plan.bytes += len;
                    offset += len;
                }
            }
        } catch (IOException | RuntimeException x) {
            plan.failures.add(new Failure(path, reason(x)));
        }
    }

    /** Makes sure every object of {@code plan} is on local disk; {@code progress} is told of bytes done. */
    public Result run(Plan plan, LongConsumer progress) throws InterruptedException {
        ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>(plan.failures);
        AtomicLong fetched = new AtomicLong();
        AtomicLong present = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, DaemonThreads.named("verso-prefetch"));
        try {
            for (Item item : plan.items) {
                pool.execute(() -> {
                    try {
                        if (objects.cacheOnDisk(item.id(), item.size())) {
                            fetched.addAndGet(item.size());
                        } else {
                            present.addAndGet(item.size());
                        }
                    } catch (IOException | RuntimeException x) {
                        failures.add(new Failure(item.path(), reason(x)));
                    }
                    progress.accept(item.size());
                });
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // large prefetches take long
            }
        } finally {
            pool.shutdownNow();
        }
        return new Result(plan.items.size(), fetched.get(), present.get(), List.copyOf(failures));
    }

    private static String reason(Throwable x) {
        return x.getMessage() != null ? x.getMessage() : x.toString();
    }
}
