package verso.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import verso.store.EntryType;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * Makes the workspace match a version (or the pointer files).
 *
 * <p>Design: plan, check, then apply. The plan is the {@link TreeDiff} from the workspace (scanned
 * without storing) to the target, so unchanged subtrees cost nothing. The check refuses to touch any
 * workspace file whose content is not recorded in the head version or in the current pointer file
 * (uncommitted work), unless forced, and makes sure every object to be written is in the cache,
 * asking the {@link ObjectFetcher} for the missing ones. Applying removes first (leaves, then
 * emptied directories), then writes files in parallel, each atomically; pointer files and
 * {@code head} are written last.
 */
public final class Checkout {
    /** What a checkout did. {@code untouched}: tracked paths the version does not have, left as they are. */
    public record Result(ObjectId version, int written, int removed, List<String> untouched) {
    }

    private static final int SHOWN = 10;
    /** Missing objects asked of the fetcher at once. */
    private static final int FETCH_BATCH = 10_000;
    /** File writes queued or running at once, at most. */
    private static final int WRITE_WINDOW = 1024;

    private final Repository repo;
    private final ObjectFetcher fetcher;
    private final ProgressListener progress;

    Checkout(Repository repo, ObjectFetcher fetcher, ProgressListener progress) {
        this.repo = repo;
        this.fetcher = fetcher;
        this.progress = progress;
    }

    Result run(ObjectId versionId, boolean force) throws IOException {
        Map<String, PointerFile> pointers = new LinkedHashMap<>();
        for (PointerFile pf : repo.pointers()) {
            pointers.put(pf.path(), pf);
        }
        ObjectId headId = repo.head().orElse(null);
        Version head = headId == null ? null : repo.versions().read(headId);
        List<TreeEntry> targets = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        if (versionId != null) {
            Version v = repo.versions().read(versionId);
            targets.addAll(v.paths());
            for (String p : pointers.keySet()) {
                if (v.find(p) == null) {
                    untouched.add(p);
                }
            }
        } else {
            if (pointers.isEmpty()) {
                throw new RepoException("nothing is tracked here; give a version to check out (see verso log)");
            }
            pointers.values().forEach(pf -> targets.add(pf.entry()));
        }
        for (TreeEntry t : targets) {
            checkParents(t.name());
        }

        TreeSource trees = new TreeSource(repo.store(), fetcher);
        WorkspaceIndex index = repo.loadIndex();
        WorkspaceScanner scanner = repo.scanner(index);
        Plan plan = new Plan(new TreeDiff(trees), targets);
        List<String> temps = new ArrayList<>();
        long bytes;
        try {
            for (TreeEntry target : targets) {
                Snapshot s = scanner.scan(target.name(), false, ProgressListener.NONE);
                trees.with(s);
                temps.addAll(s.temps());
                plan.workspace.add(s.entry());
            }
            Dirty dirty = new Dirty();
            plan.forEach((target, c) -> {
                String p = target.name();
                PointerFile pf = pointers.get(p);
                TreeEntry[] refs = {head == null ? null : head.find(p), pf == null ? null : pf.entry()};
                if (c.before() != null && c.isLeaf() && !recorded(trees, refs, c)) {
                    dirty.add(c.path());
                }
            });
            if (dirty.count > 0 && !force) {
                throw new RepoException("checkout would overwrite uncommitted changes in " + dirty.count + " file"
                        + (dirty.count == 1 ? "" : "s") + ": " + dirty.shown()
                        + "; run verso commit to keep them, or verso checkout --force to discard them");
            }
            bytes = ensureObjects(trees, plan);
        } catch (MissingObjectException e) {
            throw missing(e.id(), null);
        }

        // A checkout killed mid-way left these; a directory holding one could not be removed.
        for (String t : temps) {
            Files.deleteIfExists(repo.root().resolve(t));
        }
        Applied applied = apply(plan, bytes, index);
        index.save(targets.stream().map(TreeEntry::name).toList());
        for (TreeEntry t : targets) {
            PointerFile old = pointers.get(t.name());
            ObjectId v = versionId != null ? versionId : old.version();
            PointerFile pf = new PointerFile(t, v);
            if (!pf.equals(old)) {
                pf.write(repo.root());
            }
            if (old == null) {
                Recorder.ignoreInGit(repo.root(), t.name());
            }
        }
        if (versionId != null) {
            repo.versions().setHead(versionId);
        }
        return new Result(versionId, applied.written, applied.removed, untouched);
    }

    /** A path may not be written through a symlink or a file in one of its parent directories. */
    private void checkParents(String path) throws RepoException {
        Path p = repo.root();
        String[] segs = path.split("/");
        for (int i = 0; i < segs.length - 1; i++) {
            p = p.resolve(segs[i]);
            if (Files.isSymbolicLink(p) || (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p,
                    LinkOption.NOFOLLOW_LINKS))) {
                throw new RepoException("cannot check out " + path + ": " + repo.root().relativize(p)
                        + " is not a directory; move it away first");
            }
        }
    }

    private static boolean recorded(TreeSource trees, TreeEntry[] refs, Change c) throws IOException {
        for (TreeEntry ref : refs) {
            TreeEntry known = trees.lookup(ref, c.path());
            if (known != null && known.sameContent(c.before())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes sure every object the plan writes is in the cache, asking the fetcher for missing ones a
     * batch at a time; returns the bytes of the files to write.
     */
    private long ensureObjects(TreeSource trees, Plan plan) throws IOException {
        Map<ObjectId, String> missing = new LinkedHashMap<>();
        long[] bytes = {0};
        plan.forEach((target, c) -> {
            TreeEntry a = c.after();
            if (a != null && a.type() == EntryType.FILE) {
                bytes[0] += a.size();
                for (ObjectId id : trees.fileObjects(a)) {
                    if (!repo.store().contains(id)) {
                        missing.putIfAbsent(id, c.path());
                    }
                }
                if (missing.size() >= FETCH_BATCH) {
                    fetchMissing(missing);
                }
            }
        });
        fetchMissing(missing);
        return bytes[0];
    }

    private void fetchMissing(Map<ObjectId, String> missing) throws IOException {
        if (!missing.isEmpty() && fetcher != null) {
            fetcher.fetch(missing.keySet());
            missing.keySet().removeIf(repo.store()::contains);
        }
        if (!missing.isEmpty()) {
            Map.Entry<ObjectId, String> first = missing.entrySet().iterator().next();
            throw missing(first.getKey(), first.getValue() + (missing.size() > 1 ? " and " + (missing.size() - 1)
                    + " more objects" : ""));
        }
    }

    private RepoException missing(ObjectId id, String what) {
        return new RepoException("object " + id.shortHex() + (what == null ? "" : " (" + what + ")")
                + " is not in the cache; fetch it from a remote with verso fetch, or run verso pull");
    }

    private record Applied(int written, int removed) {
    }

    /**
     * Applies the plan in its order (safe as it is: see {@link TreeDiff}): removals and directories
     * at once, file writes on the pool with a bounded number in flight, so memory does not grow with
     * the number of files.
     */
    private Applied apply(Plan plan, long bytes, WorkspaceIndex index) throws IOException {
        // Wide enough that the workers never wait for this thread to be scheduled; a queued write is a
        // few hundred bytes.
        int window = WRITE_WINDOW;
        Semaphore slots = new Semaphore(window);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] counts = {0, 0};
        progress.start("Checking out", bytes);
        WorkspaceWriter writer = new WorkspaceWriter(repo.store(), progress);
        try {
            plan.forEach((target, c) -> {
                if (failure.get() != null) {
                    return;
                }
                Path p = repo.root().resolve(c.path());
                if (c.after() == null) {
                    if (c.before().type() == EntryType.DIR) {
                        try {
                            Files.deleteIfExists(p);
                        } catch (DirectoryNotEmptyException e) {
                            throw new RepoException(c.path() + " holds files verso does not track (sockets, pipes?); "
                                    + "move them away and run the command again");
                        }
                    } else {
                        Files.deleteIfExists(p);
                        counts[1]++;
                    }
                } else if (c.after().type() == EntryType.DIR) {
                    Files.createDirectories(p);
                } else {
                    counts[0]++;
                    acquire(slots, 1);
                    CompletableFuture.runAsync(() -> {
                        try {
                            write(writer, c, index);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, repo.pool()).whenComplete((v, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                        slots.release();
                    });
                }
            });
        } finally {
            acquire(slots, window); // every write started has ended
            progress.done();
        }
        if (failure.get() != null) {
            throw FileInserter.unwrap(failure.get() instanceof CompletionException ce ? ce
                    : new CompletionException(failure.get()));
        }
        return new Applied(counts[0], counts[1]);
    }

    private static void acquire(Semaphore s, int permits) throws IOException {
        try {
            s.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the workspace", e);
        }
    }

    private void write(WorkspaceWriter writer, Change c, WorkspaceIndex index) throws IOException {
        Path p = repo.root().resolve(c.path());
        TreeEntry a = c.after();
        TreeEntry b = c.before();
        if (b != null && b.type() == EntryType.FILE && a.type() == EntryType.FILE && b.id().equals(a.id())
                && b.chunked() == a.chunked()) {
            WorkspaceWriter.setExecutable(p, a.executable());
        } else {
            writer.write(p, a);
        }
        if (a.type() == EntryType.FILE) {
            PosixFileAttributes attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            index.record(c.path(), attrs, new FileContent(a.id(), a.chunked(), a.size()));
        }
    }

    /** The changes from the workspace to each target, produced again for each step instead of kept. */
    private static final class Plan {
        interface Step {
            void accept(TreeEntry target, Change c) throws IOException;
        }

        private final TreeDiff diff;
        private final List<TreeEntry> targets;
        /** The workspace's entry for each target (null where it has none). */
        private final List<TreeEntry> workspace = new ArrayList<>();

        Plan(TreeDiff diff, List<TreeEntry> targets) {
            this.diff = diff;
            this.targets = targets;
        }

        void forEach(Step step) throws IOException {
            for (int i = 0; i < targets.size(); i++) {
                TreeEntry target = targets.get(i);
                diff.diff(target.name(), workspace.get(i), target, c -> step.accept(target, c));
            }
        }
    }

    /** Uncommitted files a checkout would overwrite: how many, and the first few to name. */
    private static final class Dirty {
        private final List<String> first = new ArrayList<>();
        private int count;

        void add(String path) {
            if (first.size() < SHOWN) {
                first.add(path);
            }
            count++;
        }

        String shown() {
            return String.join(", ", first) + (count > SHOWN ? " (and " + (count - SHOWN) + " more)" : "");
        }
    }
}
