package verso.sync;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import verso.repo.RepoException;
import verso.repo.VersionLog;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.ObjectIdList;
import verso.store.ObjectIdSet;
import verso.store.ObjectStore;

/**
 * {@code gc --cloud}: deletes the objects on a remote that no version on that remote references.
 *
 * <p>Design: gc holds the remote's lock exclusively ({@link RemoteLock}; a dry run, shared), so no push is
 * between uploading its objects and writing its version. The keep set is every version on the remote
 * (its own {@code versions/}, so versions pushed from other clones are kept too) and everything
 * reachable from them, walked through trees read from the local cache when present, else from the
 * remote. If any tree or block index cannot be read, what lies below it is unknown, so nothing is
 * deleted. {@code objects/} is listed once, before the walk, so that the walk keeps only the files it
 * reaches that are loose there (small files are packed, and a version may hold millions); every loose
 * object outside the keep set that was written more than a grace period before the lock was taken (by
 * the remote's clock) is deleted, in parallel, or only listed with a dry run. The grace period covers writers that take no lock (older clients).
 */
public final class CloudCollector {
    /**
     * What was (or, with a dry run, would be) deleted, how many objects were kept as referenced, and how
     * many unreferenced objects were kept as younger than the grace period; {@code packs}: how many packs
     * (with their indexes) no version needs any more.
     */
    public record Report(int versions, List<ObjectId> deleted, int kept, int young, int packs, boolean dryRun) {
    }

    private final ObjectStore store;
    private final VersionLog versions;
    private final RemoteVersions remote;

    public CloudCollector(ObjectStore store, VersionLog versions, RemoteVersions remote) {
        this.store = store;
        this.versions = versions;
        this.remote = remote;
    }

    public Report run(boolean dryRun, Duration grace) throws IOException {
        try (RemoteLock lock = RemoteLock.take(remote, !dryRun, dryRun ? "gc --cloud --dry-run" : "gc --cloud");
             Transfers transfers = new Transfers()) {
            Set<ObjectId> ids = remote.ids();
            List<VersionLog.Entry> onRemote = remote.list(ids, versions);
            RemotePacks packs = new RemotePacks(remote);
            packs.load(ids, transfers);
            // the loose objects first: the walk then remembers which of the files it reaches are loose,
            // not every file (a version's small files are packed, and may be millions)
            List<ObjectId> loose = new ObjectIdList();
            List<Instant> written = new ArrayList<>();
            Set<ObjectId> looseSet = new ObjectIdSet();
            remote.remote().list(Layout.OBJECTS, file -> {
                ObjectId id = Layout.objectIdOf(file.key());
                if (id != null && looseSet.add(id)) {
                    loose.add(id);
                    written.add(file.modified());
                }
            });
            Set<ObjectId> reachedLoose = Collections.synchronizedSet(new ObjectIdSet());
            RemoteReachability walk = new RemoteReachability(remote, packs, store, transfers, id -> {
                if (looseSet.contains(id)) {
                    reachedLoose.add(id);
                }
            });
            walk.walk(onRemote, null, false);
            if (!walk.problems().isEmpty()) {
                throw new RepoException("cannot tell what remote " + remote.name() + " needs: "
                        + walk.problems().get(0) + "; deleting nothing (run verso verify --remote " + remote.name()
                        + ")");
            }
            Set<ObjectId> reachable = walk.reachable();
            Instant cutoff = lock.taken().minus(grace);
            List<ObjectId> doomed = new ArrayList<>();
            int[] kept = {0, 0};
            for (int i = 0; i < loose.size(); i++) {
                ObjectId id = loose.get(i);
                if (reachable.contains(id) || reachedLoose.contains(id) || ids.contains(id)) {
                    kept[0]++;
                } else if (!written.get(i).isBefore(cutoff)) {
                    kept[1]++;
                } else {
                    doomed.add(id);
                }
            }
            doomed.sort(null);
            List<String> doomedKeys = new ArrayList<>();
            for (ObjectId id : doomed) {
                doomedKeys.add(Layout.objectKey(id));
            }
            int packsDoomed = collectPacks(ids, packs, cutoff, doomedKeys);
            if (!dryRun) {
                transfers.run(doomedKeys, key -> remote.remote().delete(key));
            }
            return new Report(ids.size(), doomed, kept[0], kept[1], packsDoomed, dryRun);
        }
    }

    /**
     * Adds to {@code doomed} the keys of packs, pack indexes and pack lists that no version on the remote
     * names any more, written before {@code cutoff}; returns how many packs that is.
     */
    private int collectPacks(Set<ObjectId> versionIds, RemotePacks packs, Instant cutoff, List<String> doomed)
            throws IOException {
        Set<ObjectId> liveIndexes = new HashSet<>(packs.indexes().keySet());
        Set<ObjectId> livePacks = new HashSet<>();
        packs.indexes().values().forEach(i -> livePacks.add(i.pack()));
        int[] count = {0};
        remote.remote().list(Layout.PACKS, f -> {
            ObjectId id = Layout.idOf(Layout.PACKS, f.key());
            if (id != null && !livePacks.contains(id) && f.modified().isBefore(cutoff)) {
                doomed.add(f.key());
                count[0]++;
            }
        });
        remote.remote().list(Layout.PACK_INDEXES, f -> {
            ObjectId id = Layout.idOf(Layout.PACK_INDEXES, f.key());
            if (id != null && !liveIndexes.contains(id) && f.modified().isBefore(cutoff)) {
                doomed.add(f.key());
            }
        });
        remote.remote().list(Layout.VERSION_PACKS, f -> {
            ObjectId id = Layout.idOf(Layout.VERSION_PACKS, f.key());
            if (id != null && !versionIds.contains(id) && f.modified().isBefore(cutoff)) {
                doomed.add(f.key());
            }
        });
        return count[0];
    }
}
