package verso.repo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * {@code status} and {@code diff}: the workspace is scanned without storing anything (the workspace
 * index spares re-hashing unchanged files) and compared with versions by {@link TreeDiff}.
 */
public final class Comparison {
    /** How a tracked path stands against the head version. */
    public enum Kind {
        /** Same content as in the head version. */
        UNCHANGED,
        /** Different content; see the changes. */
        MODIFIED,
        /** Tracked (has a pointer file) but in no version yet. */
        NEW,
        /** Tracked but absent from the workspace. */
        MISSING,
        /** In the head version but no longer tracked (its pointer file is gone). */
        UNTRACKED
    }

    /**
     * One tracked path: its state, and whether its pointer file names content that is neither the
     * workspace's nor the head version's (as after {@code git checkout REV -- PATH.verso}, before
     * {@code verso checkout}).
     */
    public record PathStatus(String path, Kind kind, boolean pointerDiffers) {
    }

    /**
     * Receives a status or a diff as it is found, so that neither is held whole: a million changed
     * files are a million calls, not a list.
     */
    public interface Listener {
        /** A tracked path's state (status only); a {@link Kind#MODIFIED} path's changes follow. */
        default void path(PathStatus s) throws IOException {
        }

        /** One changed file or symlink, in walk order. */
        void change(Change c) throws IOException;
    }

    private final Repository repo;

    Comparison(Repository repo) {
        this.repo = repo;
    }

    void status(Listener out) throws IOException {
        ObjectId headId = repo.head().orElse(null);
        Version head = headId == null ? null : repo.versions().read(headId);
        WorkspaceIndex index = repo.loadIndex();
        WorkspaceScanner scanner = repo.scanner(index);
        TreeSource trees = new TreeSource(repo.store(), null);
        TreeDiff diff = new TreeDiff(trees);
        List<String> roots = new ArrayList<>();
        for (PointerFile pf : repo.pointers()) {
            roots.add(pf.path());
            Snapshot s = scanner.scan(pf.path(), false, ProgressListener.NONE);
            trees.with(s);
            TreeEntry inHead = head == null ? null : head.find(pf.path());
            TreeEntry work = s.entry();
            boolean pointerDiffers = work != null && !pf.entry().sameContent(work)
                    && (inHead == null || !pf.entry().sameContent(inHead));
            if (work == null) {
                out.path(new PathStatus(pf.path(), Kind.MISSING, false));
            } else if (inHead == null) {
                out.path(new PathStatus(pf.path(), Kind.NEW, pointerDiffers));
            } else if (inHead.sameContent(work)) {
                out.path(new PathStatus(pf.path(), Kind.UNCHANGED, pointerDiffers));
            } else {
                out.path(new PathStatus(pf.path(), Kind.MODIFIED, pointerDiffers));
                diff.diff(pf.path(), inHead, work, c -> {
                    if (c.isLeaf()) {
                        out.change(c);
                    }
                });
            }
        }
        if (head != null) {
            for (TreeEntry e : head.paths()) {
                if (!roots.contains(e.name())) {
                    out.path(new PathStatus(e.name(), Kind.UNTRACKED, false));
                }
            }
        }
        saveQuietly(index, roots);
    }

    /** The index is only a cache; failing to save it (read-only repository) must not fail a read. */
    private static void saveQuietly(WorkspaceIndex index, List<String> roots) {
        try {
            index.save(roots);
        } catch (IOException e) {
            // Next scan re-hashes instead.
        }
    }

    void diff(ObjectId a, ObjectId b, Listener out) throws IOException {
        Map<String, TreeEntry[]> pairs = new TreeMap<>(Names::compare);
        for (TreeEntry e : repo.versions().read(a).paths()) {
            pairs.computeIfAbsent(e.name(), k -> new TreeEntry[2])[0] = e;
        }
        TreeSource trees = new TreeSource(repo.store(), null);
        if (b != null) {
            for (TreeEntry e : repo.versions().read(b).paths()) {
                pairs.computeIfAbsent(e.name(), k -> new TreeEntry[2])[1] = e;
            }
        } else {
            WorkspaceIndex index = repo.loadIndex();
            WorkspaceScanner scanner = repo.scanner(index);
            List<String> roots = new ArrayList<>();
            for (String path : PointerFile.findTracked(repo.root())) {
                Snapshot s = scanner.scan(path, false, ProgressListener.NONE);
                trees.with(s);
                roots.add(path);
                if (s.entry() != null) {
                    pairs.computeIfAbsent(path, k -> new TreeEntry[2])[1] = s.entry();
                }
            }
            saveQuietly(index, roots);
        }
        TreeDiff diff = new TreeDiff(trees);
        for (Map.Entry<String, TreeEntry[]> p : pairs.entrySet()) {
            diff.diff(p.getKey(), p.getValue()[0], p.getValue()[1], c -> {
                if (c.isLeaf()) {
                    out.change(c);
                }
            });
        }
    }
}
