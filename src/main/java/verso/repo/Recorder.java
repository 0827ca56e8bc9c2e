package verso.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import verso.store.EntryType;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * {@code add} and {@code commit}: scan tracked paths into the store, then publish in order. The
 * order is what makes an interrupted command harmless: objects (blobs and blocks, then trees,
 * leaves first), then the version object, then {@code versions/<id>}, then the pointer files, then
 * {@code head}. A crash before the version file leaves only unreferenced objects, which gc removes.
 */
public final class Recorder {
    /** The outcome of a commit: {@code id} and {@code version} are null if nothing changed. */
    public record CommitResult(ObjectId id, Version version, List<String> skipped) {
        public boolean changed() {
            return id != null;
        }
    }

    private final Repository repo;

    Recorder(Repository repo) {
        this.repo = repo;
    }

    List<PointerFile> add(Path cwd, List<String> userPaths, ProgressListener progress) throws IOException {
        try (RepoLock.Held h = repo.lock().exclusive()) {
            List<String> tracked = PointerFile.findTracked(repo.root());
            Set<String> rels = new LinkedHashSet<>();
            for (String u : userPaths) {
                String rel = repo.relativize(cwd, u);
                check(rel, u, tracked);
                rels.add(rel);
            }
            WorkspaceIndex index = repo.loadIndex();
            WorkspaceScanner scanner = repo.scanner(index);
            List<PointerFile> out = new ArrayList<>();
            try (ObjectStore.Packing packing = repo.store().packing()) {
                for (String rel : rels) {
                    Snapshot s = scanner.scan(rel, true, progress);
                    if (s.entry() == null) {
                        throw new RepoException(rel + " does not exist; check the path");
                    }
                    out.add(new PointerFile(s.entry(), null));
                }
            }
            for (PointerFile pf : out) {
                pf.write(repo.root());
                ignoreInGit(repo.root(), pf.path());
            }
            index.save(rels);
            return out;
        }
    }

    private void check(String rel, String shown, List<String> tracked) throws IOException {
        if (rel.endsWith(PointerFile.SUFFIX)) {
            throw new RepoException(shown + " is a pointer file; add the data path itself");
        }
        if (!Repository.exists(repo.root().resolve(rel))) {
            throw new RepoException(shown + " does not exist; check the path");
        }
        for (String t : tracked) {
            if (t.equals(rel)) {
                throw new RepoException(shown + " is already tracked (" + rel + PointerFile.SUFFIX
                        + "); run verso commit to record its changes");
            }
            if (rel.startsWith(t + "/")) {
                throw new RepoException(shown + " is inside tracked " + t + "; run verso commit to record it");
            }
            if (t.startsWith(rel + "/")) {
                throw new RepoException(shown + " contains tracked " + t + "; remove " + t + PointerFile.SUFFIX
                        + " first to track the whole of " + shown);
            }
        }
    }

    /** Appends {@code /rel} to the project's .gitignore unless a line already ignores it, as dvc add does. */
    static void ignoreInGit(Path root, String rel) throws IOException {
        Path gi = root.resolve(".gitignore");
        String text = Files.exists(gi) ? Files.readString(gi, StandardCharsets.UTF_8) : "";
        for (String line : text.split("\n", -1)) {
            String l = line.trim();
            if (l.equals(rel) || l.equals("/" + rel) || l.equals(rel + "/") || l.equals("/" + rel + "/")) {
                return;
            }
        }
        String sep = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
        AtomicFile.write(gi, (text + sep + "/" + rel + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Records a new version. With {@code userPaths}, only those paths (files or folders inside
     * tracked paths) are read; everything else is taken as its pointer file records it, as
     * {@code git commit PATH} does. A tracked path given whole is scanned whole.
     */
    CommitResult commit(String message, Path cwd, List<String> userPaths, ProgressListener progress)
            throws IOException {
        try (RepoLock.Held h = repo.lock().exclusive()) {
            List<PointerFile> pointers = repo.pointers();
            if (pointers.isEmpty()) {
                throw new RepoException("nothing is tracked; run verso add PATH first");
            }
            Map<String, List<String>> parts = parts(cwd, userPaths, pointers);
            WorkspaceIndex index = repo.loadIndex();
            WorkspaceScanner scanner = repo.scanner(index);
            // Parts are read without saving what they find in the index: a folder's cached tree must
            // stay tied to files the index has seen through that folder (see WorkspaceIndex).
            WorkspaceScanner partScanner = repo.scanner(repo.loadIndex());
            List<TreeEntry> entries = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            List<String> roots = new ArrayList<>();
            try (ObjectStore.Packing packing = repo.store().packing()) {
                for (PointerFile pf : pointers) {
                    List<String> only = parts.get(pf.path());
                    if (only != null && only.isEmpty()) {
                        entries.add(pf.entry());
                        continue;
                    }
                    if (only != null) {
                        TreeEntry e = pf.entry();
                        for (String part : only) {
                            Snapshot s = partScanner.scan(part, true, progress);
                            skipped.addAll(s.skipped());
                            e = splice(e, part.substring(pf.path().length() + 1), s.entry());
                        }
                        entries.add(e);
                        continue;
                    }
                    Snapshot s = scanner.scan(pf.path(), true, progress);
                    if (s.entry() == null) {
                        throw new RepoException(pf.path() + " is tracked but missing from the workspace; restore it with "
                                + "verso checkout, or delete " + pf.path() + PointerFile.SUFFIX + " to stop tracking it");
                    }
                    entries.add(s.entry());
                    skipped.addAll(s.skipped());
                    roots.add(pf.path());
                }
            }
            index.save(roots);
            ObjectId headId = repo.head().orElse(null);
            if (headId != null && sameContent(repo.versions().read(headId).paths(), entries)) {
                writePointers(pointers, entries, headId);
                return new CommitResult(null, null, skipped);
            }
            Version v = Version.of(headId, Instant.now(), message == null ? "" : message, entries);
            ObjectId id = repo.versions().write(v);
            writePointers(pointers, entries, id);
            repo.versions().setHead(id);
            return new CommitResult(id, v, skipped);
        }
    }

    /**
     * What to read of each tracked path, by the paths the user named: a tracked path absent from the
     * map is read whole; one mapped to an empty list is not read; else only the paths listed below
     * it are. No paths named: every tracked path is read whole.
     */
    private Map<String, List<String>> parts(Path cwd, List<String> userPaths, List<PointerFile> pointers)
            throws IOException {
        Map<String, List<String>> parts = new HashMap<>();
        if (userPaths.isEmpty()) {
            return parts;
        }
        for (PointerFile pf : pointers) {
            parts.put(pf.path(), new ArrayList<>());
        }
        for (String u : userPaths) {
            String rel = repo.relativize(cwd, u);
            PointerFile owner = null;
            for (PointerFile pf : pointers) {
                if (rel.equals(pf.path()) || rel.startsWith(pf.path() + "/")) {
                    owner = pf;
                }
            }
            if (owner == null) {
                throw new RepoException(u + " is not inside a tracked path; run verso add " + u + " to track it");
            }
            if (rel.equals(owner.path())) {
                parts.remove(rel); // the whole tracked path
            } else if (parts.containsKey(owner.path())) {
                if (!Repository.exists(repo.root().resolve(rel)) && !inside(owner.entry(), rel)) {
                    throw new RepoException(u + " is neither in the workspace nor in " + owner.path()
                            + PointerFile.SUFFIX + "; check the path");
                }
                parts.get(owner.path()).add(rel);
            }
        }
        return parts;
    }

    private boolean inside(TreeEntry root, String rel) throws IOException {
        return new TreeSource(repo.store(), null).lookup(root, rel) != null;
    }

    /**
     * {@code dir} with the entry at {@code sub} (a path below it) replaced by {@code leaf}, or removed
     * if {@code leaf} is null; folders on the way are created as needed. New trees are stored.
     */
    private TreeEntry splice(TreeEntry dir, String sub, TreeEntry leaf) throws IOException {
        if (dir.type() != EntryType.DIR) {
            throw new RepoException("cannot commit " + sub + " inside " + dir.name() + ", which the pointer file "
                    + "records as a " + dir.type().name().toLowerCase(Locale.ROOT) + "; commit the whole path");
        }
        int slash = sub.indexOf('/');
        String name = slash < 0 ? sub : sub.substring(0, slash);
        Tree tree = new TreeSource(repo.store(), null).tree(dir.id());
        TreeEntry old = tree.find(name);
        TreeEntry replaced;
        if (slash < 0) {
            replaced = leaf == null ? null : leaf.withName(name);
        } else if (old == null && leaf == null) {
            return dir; // removing what is not there
        } else {
            TreeEntry below = old != null && old.type() == EntryType.DIR ? old : emptyDir(name);
            replaced = splice(below, sub.substring(slash + 1), leaf);
        }
        Tree changed = tree.with(name, replaced);
        return TreeEntry.dir(dir.name(), repo.store().insert(changed::encode), changed.entries());
    }

    private TreeEntry emptyDir(String name) throws IOException {
        return TreeEntry.dir(name, 0, 0, repo.store().insert(Tree.empty().encode()));
    }

    private void writePointers(List<PointerFile> old, List<TreeEntry> entries, ObjectId version) throws IOException {
        for (int i = 0; i < old.size(); i++) {
            PointerFile pf = new PointerFile(entries.get(i), version);
            if (!pf.equals(old.get(i))) {
                pf.write(repo.root());
            }
        }
    }

    static boolean sameContent(List<TreeEntry> a, List<TreeEntry> b) {
        if (a.size() != b.size()) {
            return false;
        }
        List<TreeEntry> sb = new ArrayList<>(b);
        sb.sort((x, y) -> Names.compare(x.name(), y.name()));
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).name().equals(sb.get(i).name()) || !a.get(i).sameContent(sb.get(i))) {
                return false;
            }
        }
        return true;
    }
}
