package verso.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import verso.store.ObjectId;
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
            for (String rel : rels) {
                Snapshot s = scanner.scan(rel, true, progress);
                if (s.entry() == null) {
                    throw new RepoException(rel + " does not exist; check the path");
                }
                PointerFile pf = new PointerFile(s.entry(), null);
                pf.write(repo.root());
                ignoreInGit(repo.root(), rel);
                out.add(pf);
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

    CommitResult commit(String message, ProgressListener progress) throws IOException {
        try (RepoLock.Held h = repo.lock().exclusive()) {
            List<PointerFile> pointers = repo.pointers();
            if (pointers.isEmpty()) {
                throw new RepoException("nothing is tracked; run verso add PATH first");
            }
            WorkspaceIndex index = repo.loadIndex();
            WorkspaceScanner scanner = repo.scanner(index);
            List<TreeEntry> entries = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            List<String> roots = new ArrayList<>();
            for (PointerFile pf : pointers) {
                Snapshot s = scanner.scan(pf.path(), true, progress);
                if (s.entry() == null) {
                    throw new RepoException(pf.path() + " is tracked but missing from the workspace; restore it with "
                            + "verso checkout, or delete " + pf.path() + PointerFile.SUFFIX + " to stop tracking it");
                }
                entries.add(s.entry());
                skipped.addAll(s.skipped());
                roots.add(pf.path());
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
        sb.sort((x, y) -> verso.store.Names.compare(x.name(), y.name()));
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).name().equals(sb.get(i).name()) || !a.get(i).sameContent(sb.get(i))) {
                return false;
            }
        }
        return true;
    }
}
