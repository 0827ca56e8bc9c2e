package verso.repo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import verso.store.CorruptObjectException;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.TreeEntry;

/**
 * {@code verify}: re-hashes every cached object (in parallel, a bounded number at a time), checks
 * that each {@code versions/<id>} file hashes to its name and decodes, decodes every tree and block
 * index every version references, and reports references to objects the cache lacks. Missing
 * objects are a problem only for a version that no remote has a copy of ({@code onRemote}); for
 * the others (after {@code gc --workspace}) they are a note: fetch brings them back.
 */
public final class RepositoryVerifier {
    /** {@code problems} empty means the repository is sound. */
    public record Report(long objects, int versions, List<String> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final Repository repo;
    private final Predicate<ObjectId> onRemote;

    RepositoryVerifier(Repository repo, Predicate<ObjectId> onRemote) {
        this.repo = repo;
        this.onRemote = onRemote;
    }

    Report run() throws IOException {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<String> notes = new ArrayList<>();
        AtomicLong count = new AtomicLong();
        int width = repo.threads() * 4;
        Semaphore window = new Semaphore(width);
        repo.store().forEach(id -> {
            window.acquireUninterruptibly();
            CompletableFuture.runAsync(() -> {
                try {
                    repo.store().verify(id);
                } catch (IOException e) {
                    problems.add(e.getMessage() + " (remove it with verso gc after fetching a good copy)");
                } catch (RuntimeException e) {
                    problems.add("object " + id.shortHex() + " could not be checked: " + e);
                } finally {
                    count.incrementAndGet();
                    window.release();
                }
            }, repo.pool());
        });
        window.acquireUninterruptibly(width); // every check has ended: no future is kept per object
        problems.addAll(repo.store().packProblems());

        TreeSource trees = new TreeSource(repo.store(), null);
        Reachability reach = new Reachability(trees);
        Set<ObjectId> seen = new ObjectIdSet();
        List<ObjectId> ids = repo.versions().ids();
        for (ObjectId id : ids) {
            ObjectId[] firstMissing = {null};
            long[] missing = {0};
            try {
                for (TreeEntry e : repo.versions().read(id).paths()) {
                    reach.walk(e, seen, m -> {
                        if (missing[0]++ == 0) {
                            firstMissing[0] = m;
                        }
                    });
                }
            } catch (CorruptObjectException e) {
                problems.add("version " + id.shortHex() + ": " + e.getMessage());
                continue;
            }
            if (missing[0] > 0) {
                String what = "version " + id.shortHex() + " references " + missing[0]
                        + " object(s) not in the cache (first " + firstMissing[0].shortHex() + ")";
                if (onRemote.test(id)) {
                    notes.add(what + "; the remote has them (verso fetch restores them)");
                } else {
                    problems.add(what + " and no remote has this version; the data is lost unless another "
                            + "clone has it");
                }
            }
        }
        for (Map.Entry<String, ObjectId> t : repo.versions().tags().entrySet()) {
            if (!repo.versions().contains(t.getValue())) {
                problems.add("tag " + t.getKey() + " names unknown version " + t.getValue().shortHex()
                        + "; delete it with verso tag --delete " + t.getKey());
            }
        }
        ObjectId head = repo.head().orElse(null);
        if (head != null && !repo.versions().contains(head)) {
            problems.add(".verso/head names unknown version " + head.shortHex() + "; run verso checkout VERSION");
        }
        return new Report(count.get(), ids.size(), List.copyOf(problems), notes);
    }
}
