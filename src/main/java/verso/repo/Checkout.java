package verso.repo;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import verso.store.EntryType;
import verso.store.FileInserter.FileContent;
import verso.store.MissingObjectException;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * Makes the workspace match a version (or the pointer files).
 *
 * <p>Design: check, then apply, in memory that does not grow with the number of files. The changes
 * are the {@link TreeDiff} from the workspace (scanned without storing) to the target, so unchanged
 * subtrees cost nothing; they are not kept but produced again by each pass. The first pass refuses to
 * touch any workspace file whose content is not recorded in the head version or in the current
 * pointer file (uncommitted work), unless forced, keeping only a count and the first few paths, and
 * notes the objects to write that the cache lacks in a compact set; if there are any, a second pass
 * asks the {@link ObjectFetcher} for them in bounded batches, in walk order (the order of a remote's
 * packs). The last pass applies the changes in walk order, which is safe as it is (see
 * {@link TreeDiff}): removals and directories on this thread, file writes handed to the workers
 * through a bounded {@link WriteWindow}, each file written atomically. Pointer files and
 * {@code head} are written last.
 */
public final class Checkout {
    /** What a checkout did. {@code untouched}: tracked paths the version does not have, left as they are. */
    public record Result(ObjectId version, int written, int removed, List<String> untouched) {
    }

    private static final int SHOWN = 10;
    /** Missing objects asked of the fetcher at once. */
    private static final int FETCH_BATCH = 10_000;
    /** File writes handed to a worker at once, at most. */
    private static final int WRITE_BATCH = 256;
    /** Bytes of file content handed to a worker at once, beyond which a batch ends early. */
    private static final long WRITE_BATCH_BYTES = 4L << 20;

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
                String p = target.name();
                Snapshot s = scanner.scan(p, false, ProgressListener.NONE);
                trees.with(s);
                temps.addAll(s.temps());
                PointerFile pf = pointers.get(p);
                plan.add(s.entry(), new TreeEntry[] {head == null ? null : head.find(p), pf == null ? null : pf.entry()});
            }
            Survey survey = survey(trees, plan);
            if (survey.dirty > 0 && !force) {
                throw new RepoException("checkout would overwrite uncommitted changes in " + survey.dirty + " file"
                        + (survey.dirty == 1 ? "" : "s") + ": " + String.join(", ", survey.dirtyShown)
                        + (survey.dirty > SHOWN ? " (and " + (survey.dirty - SHOWN) + " more)" : "")
                        + "; run verso commit to keep them, or verso checkout --force to discard them");
            }
            if (!survey.missing.isEmpty()) {
                fetchMissing(trees, plan, survey);
            }
            bytes = survey.bytes;
        } catch (MissingObjectException e) {
            throw missing(e.id(), null);
        }

        // A checkout killed mid-way left these; a directory holding one could not be removed.
        for (String t : temps) {
            WorkspaceWriter.deleteTemp(repo.root().resolve(t));
        }
        Applied applied = apply(plan, bytes, index, trees);
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

    /** What the first pass found: uncommitted files (a count and the first few), bytes to write, objects the cache lacks. */
    private static final class Survey {
        private final List<String> dirtyShown = new ArrayList<>();
        private int dirty;
        private long bytes;
        private final ObjectIdSet missing = new ObjectIdSet();
        /** The first missing object in walk order, and a path that needs it. */
        private final FirstMissing firstMissing = new FirstMissing();
    }

    private Survey survey(TreeSource trees, Plan plan) throws IOException {
        Survey survey = new Survey();
        plan.forEach((refs, c) -> {
            if (c.before() != null && c.isLeaf() && !recorded(trees, refs, c)) {
                if (survey.dirty++ < SHOWN) {
                    survey.dirtyShown.add(c.path());
                }
            }
            TreeEntry a = c.after();
            if (a != null && a.type() == EntryType.FILE) {
                survey.bytes += a.size();
                for (ObjectId id : trees.fileObjects(a)) {
                    if (!repo.store().contains(id) && survey.missing.add(id) && survey.firstMissing.id == null) {
                        survey.firstMissing.id = id;
                        survey.firstMissing.path = c.path();
                    }
                }
            }
        });
        return survey;
    }

    /**
     * Asks the fetcher for the objects the survey found missing, a batch at a time in walk order; refuses
     * the checkout, naming the first, if any are still missing.
     */
    private void fetchMissing(TreeSource trees, Plan plan, Survey survey) throws IOException {
        ObjectIdSet missing = survey.missing;
        List<ObjectId> batch = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        FirstMissing first = fetcher == null ? survey.firstMissing : new FirstMissing();
        if (fetcher != null) {
            plan.forEach((refs, c) -> {
                TreeEntry a = c.after();
                if (a != null && a.type() == EntryType.FILE) {
                    for (ObjectId id : trees.fileObjects(a)) {
                        if (missing.contains(id)) {
                            batch.add(id);
                            paths.add(c.path());
                        }
                    }
                    if (batch.size() >= FETCH_BATCH) {
                        fetchBatch(batch, paths, first);
                    }
                }
            });
            fetchBatch(batch, paths, first);
        }
        int absent = 0;
        for (ObjectId id : missing) {
            if (!repo.store().contains(id)) {
                absent++;
            }
        }
        if (absent > 0) {
            // Every missing object was in a batch, so the first still missing was noted in walk order.
            throw missing(first.id, first.path + (absent > 1 ? " and " + (absent - 1) + " more objects" : ""));
        }
    }

    /** A missing object and a path that needs it. */
    private static final class FirstMissing {
        private ObjectId id;
        private String path;
    }

    private void fetchBatch(List<ObjectId> batch, List<String> paths, FirstMissing first) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        fetcher.fetch(batch);
        for (int i = 0; i < batch.size() && first.id == null; i++) {
            if (!repo.store().contains(batch.get(i))) {
                first.id = batch.get(i);
                first.path = paths.get(i);
            }
        }
        batch.clear();
        paths.clear();
    }

    private RepoException missing(ObjectId id, String what) {
        return new RepoException("object " + id.shortHex() + (what == null ? "" : " (" + what + ")")
                + " is not in the cache; fetch it from a remote with verso fetch, or run verso pull");
    }

    private record Applied(int written, int removed) {
    }

    /**
     * Applies the changes in walk order: removals and directories at once, file writes on the workers
     * with a bounded number waiting, so memory does not grow with the number of files.
     */
    private Applied apply(Plan plan, long bytes, WorkspaceIndex index, TreeSource trees) throws IOException {
        int[] counts = {0, 0};
        progress.start("Checking out", bytes);
        WriteWindow window = new WriteWindow(repo.pool(), WRITE_BATCH, WRITE_BATCH_BYTES, 2 * repo.threads());
        try (WorkspaceWriter writer = new WorkspaceWriter(repo.store(), progress)) {
            applyAll(plan, index, trees, window, writer, counts);
        } finally {
            progress.done();
        }
        return new Applied(counts[0], counts[1]);
    }

    private void applyAll(Plan plan, WorkspaceIndex index, TreeSource trees, WriteWindow window, WorkspaceWriter writer,
                          int[] counts) throws IOException {
        try {
            plan.forEach((refs, c) -> {
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
                    // the tree this folder holds once its files are written: a scan that finds them all
                    // unchanged reuses it (git's checkout fills its cache tree the same way)
                    TreeEntry d = c.after();
                    int children = trees.tree(d.id()).entries().size();
                    index.recordTree(c.path(), new WorkspaceIndex.CachedTree(children, d.id(), d.size(), d.files()));
                } else {
                    counts[0]++;
                    window.submit(() -> write(writer, c, index),
                            c.after().type() == EntryType.FILE ? c.after().size() : 0);
                }
            });
        } catch (IOException | RuntimeException e) {
            window.abandon();
            throw e;
        }
        window.finish();
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
            index.recordWritten(c.path(), FileStat.lstat(p), new FileContent(a.id(), a.chunked(), a.size()));
        }
    }

    /** The changes from the workspace to each target, produced again by each pass instead of kept. */
    private static final class Plan {
        interface Step {
            /** {@code refs}: the target's entries in the head version and in its pointer file (either may be null). */
            void accept(TreeEntry[] refs, Change c) throws IOException;
        }

        private final TreeDiff diff;
        private final List<TreeEntry> targets;
        /** The workspace's entry for each target (null where it has none). */
        private final List<TreeEntry> workspace = new ArrayList<>();
        private final List<TreeEntry[]> refs = new ArrayList<>();

        Plan(TreeDiff diff, List<TreeEntry> targets) {
            this.diff = diff;
            this.targets = targets;
        }

        /** The next target's workspace entry and references, in the order of the targets. */
        void add(TreeEntry inWorkspace, TreeEntry[] targetRefs) {
            workspace.add(inWorkspace);
            refs.add(targetRefs);
        }

        void forEach(Step step) throws IOException {
            for (int i = 0; i < targets.size(); i++) {
                TreeEntry[] r = refs.get(i);
                diff.diff(targets.get(i).name(), workspace.get(i), targets.get(i), c -> step.accept(r, c));
            }
        }
    }
}
