package verso.repo;

import java.io.IOException;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.TreeEntry;

/**
 * Deletes cached objects that are not needed.
 *
 * <p>Design: the keep set is everything reachable from the workspace (pointer files and the head
 * version), plus every version with {@code allVersions}; version objects themselves are always kept.
 * Then a safety set: everything reachable from each version that has no copy on the default remote
 * ({@code onRemote} is false). Without {@code force}, nothing in the safety set is deleted, and
 * those versions are reported so the user can push them. If such a version cannot be walked
 * completely (a tree is already missing), nothing but temp files is deleted without {@code force},
 * because which of the remaining objects it needs is unknown. Runs under the exclusive lock, which
 * also makes leftover temp files safe to clear.
 */
public final class GarbageCollector {
    /**
     * What gc did (or, with dry run, would do). {@code unpushed}: versions whose objects were kept
     * because no remote has them; {@code kept}: how many objects that kept.
     */
    public record Report(Set<ObjectId> deleted, long deletedBytes, List<VersionLog.Entry> unpushed, int kept,
                         List<VersionLog.Entry> incomplete, int tempFiles, boolean dryRun) {
    }

    private final Repository repo;
    private final Predicate<ObjectId> onRemote;

    GarbageCollector(Repository repo, Predicate<ObjectId> onRemote) {
        this.repo = repo;
        this.onRemote = onRemote;
    }

    Report run(boolean allVersions, boolean dryRun, boolean force) throws IOException {
        TreeSource trees = new TreeSource(repo.store(), null);
        Reachability reach = new Reachability(trees);
        Set<ObjectId> keep = new ObjectIdSet();
        List<VersionLog.Entry> versions = repo.versions().list();
        for (VersionLog.Entry v : versions) {
            keep.add(v.id());
        }
        boolean[] keepIncomplete = {false};
        for (PointerFile pf : repo.pointers()) {
            reach.walk(pf.entry(), keep, id -> keepIncomplete[0] = true);
        }
        ObjectId head = repo.head().orElse(null);
        for (VersionLog.Entry v : versions) {
            if (allVersions || v.id().equals(head)) {
                for (TreeEntry e : v.version().paths()) {
                    reach.walk(e, keep, id -> keepIncomplete[0] = true);
                }
            }
        }
        Set<ObjectId> guarded = new ObjectIdSet();
        List<VersionLog.Entry> unpushed = new ArrayList<>();
        List<VersionLog.Entry> incomplete = new ArrayList<>();
        for (VersionLog.Entry v : versions) {
            if (onRemote.test(v.id())) {
                continue;
            }
            // Only what the keep set lacks: a subtree it holds is not walked again (versions share
            // most of their trees, and a million-file version's ids are tens of MiB). Had a keep
            // walk missed objects, which this version might need below such a subtree is unknown.
            Set<ObjectId> mine = new ObjectIdSet();
            boolean[] broken = {false};
            Set<ObjectId> beyondKeep = new AbstractSet<>() {
                @Override
                public boolean add(ObjectId id) {
                    if (keep.contains(id)) {
                        broken[0] |= keepIncomplete[0];
                        return false;
                    }
                    return mine.add(id);
                }

                @Override
                public Iterator<ObjectId> iterator() {
                    return mine.iterator();
                }

                @Override
                public int size() {
                    return mine.size();
                }
            };
            for (TreeEntry e : v.version().paths()) {
                reach.walk(e, beyondKeep, id -> broken[0] = true);
            }
            if (broken[0]) {
                incomplete.add(v);
            }
            boolean exposed = false;
            for (ObjectId id : mine) {
                if (repo.store().contains(id)) {
                    guarded.add(id);
                    exposed = true;
                }
            }
            if (exposed) {
                unpushed.add(v);
            }
        }
        boolean blocked = !incomplete.isEmpty() && !force;
        Set<ObjectId> doomed = new ObjectIdSet();
        int[] kept = {0};
        long[] bytes = {0};
        if (!blocked) {
            repo.store().forEach(id -> {
                if (keep.contains(id)) {
                    return;
                }
                if (guarded.contains(id) && !force) {
                    kept[0]++;
                    return;
                }
                doomed.add(id);
            });
        }
        for (ObjectId id : doomed) {
            bytes[0] += Math.max(0, repo.store().size(id));
        }
        if (!dryRun) {
            repo.store().delete(doomed);
        }
        int temps = dryRun ? 0 : repo.store().clearTemp();
        return new Report(doomed, bytes[0], force ? List.of() : unpushed, kept[0], incomplete, temps, dryRun);
    }
}
