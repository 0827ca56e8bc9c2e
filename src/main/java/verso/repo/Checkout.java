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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
        TreeDiff diff = new TreeDiff(trees);
        List<Change> plan = new ArrayList<>();
        List<String> temps = new ArrayList<>();
        Set<String> dirty = new LinkedHashSet<>();
        try {
            for (TreeEntry target : targets) {
                String p = target.name();
                Snapshot s = scanner.scan(p, false, ProgressListener.NONE);
                trees.with(s);
                temps.addAll(s.temps());
                PointerFile pf = pointers.get(p);
                TreeEntry[] refs = {head == null ? null : head.find(p), pf == null ? null : pf.entry()};
                diff.diff(p, s.entry(), target, c -> {
                    plan.add(c);
                    if (c.before() != null && c.isLeaf() && !recorded(trees, refs, c)) {
                        dirty.add(c.path());
                    }
                });
            }
            if (!dirty.isEmpty() && !force) {
                throw new RepoException("checkout would overwrite uncommitted changes in " + dirty.size() + " file"
                        + (dirty.size() == 1 ? "" : "s") + ": " + shown(dirty)
                        + "; run verso commit to keep them, or verso checkout --force to discard them");
            }
            ensureObjects(trees, plan);
        } catch (MissingObjectException e) {
            throw missing(e.id(), null);
        }

        // A checkout killed mid-way left these; a directory holding one could not be removed.
        for (String t : temps) {
            Files.deleteIfExists(repo.root().resolve(t));
        }
        Applied applied = apply(plan, index);
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

    private void ensureObjects(TreeSource trees, List<Change> plan) throws IOException {
        Map<ObjectId, String> missing = new LinkedHashMap<>();
        for (Change c : plan) {
            TreeEntry a = c.after();
            if (a != null && a.type() == EntryType.FILE) {
                for (ObjectId id : trees.fileObjects(a)) {
                    if (!repo.store().contains(id)) {
                        missing.putIfAbsent(id, c.path());
                    }
                }
            }
        }
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

    private Applied apply(List<Change> plan, WorkspaceIndex index) throws IOException {
        int removed = 0;
        long bytes = 0;
        List<Change> writes = new ArrayList<>();
        for (Change c : plan) {
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
                    removed++;
                }
            } else if (c.after().type() == EntryType.DIR) {
                Files.createDirectories(p);
            } else {
                writes.add(c);
                bytes += c.after().type() == EntryType.FILE ? c.after().size() : 0;
            }
        }
        progress.start("Checking out", bytes);
        WorkspaceWriter writer = new WorkspaceWriter(repo.store(), progress);
        try {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (Change c : writes) {
                futures.add(CompletableFuture.runAsync(() -> {
                    try {
                        write(writer, c, index);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, repo.pool()));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw FileInserter.unwrap(e);
        } finally {
            progress.done();
        }
        return new Applied(writes.size(), removed);
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
            index.record(c.path(), attrs, new FileContent(a.id(), a.chunked(), a.size()), true);
        }
    }

    private static String shown(Set<String> paths) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (String p : paths) {
            if (i == SHOWN) {
                sb.append(" (and ").append(paths.size() - SHOWN).append(" more)");
                break;
            }
            sb.append(i++ == 0 ? "" : ", ").append(p);
        }
        return sb.toString();
    }
}
