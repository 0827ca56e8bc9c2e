package verso.repo;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import verso.store.ObjectId;

/**
 * {@code gc --cloud}: deletes the objects on a remote that no version on that remote references.
 *
 * <p>Design: the keep set is every version on the remote (its own {@code versions/}, so versions pushed
 * from other clones are kept too) and everything reachable from them, walked through trees read from
 * the local cache when present, else from the remote. If any tree or block index cannot be read, what
 * lies below it is unknown, so nothing is deleted. Then {@code objects/} is listed once and every object
 * outside the keep set is deleted (in parallel), or only listed with a dry run.
 *
 * <p>Not safe against a push running at the same time from another clone: its objects are uploaded
 * before its version, and would look unreferenced. Run it when no one is pushing.
 */
public final class CloudCollector {
    /** What was (or, with a dry run, would be) deleted, and how many objects were kept. */
    public record Report(int versions, List<ObjectId> deleted, int kept, boolean dryRun) {
    }

    private final Repository repo;
    private final RemoteVersions remote;

    CloudCollector(Repository repo, RemoteVersions remote) {
        this.repo = repo;
        this.remote = remote;
    }

    Report run(boolean dryRun) throws IOException {
        try (Transfers transfers = new Transfers()) {
            Set<ObjectId> ids = remote.ids();
            List<VersionLog.Entry> versions = remote.list(ids, repo.versions());
            RemoteReachability walk = new RemoteReachability(remote, repo.store(), transfers);
            walk.walk(versions, null, false);
            if (!walk.problems().isEmpty()) {
                throw new RepoException("cannot tell what remote " + remote.name() + " needs: "
                        + walk.problems().get(0) + "; deleting nothing (run verso verify --remote " + remote.name()
                        + ")");
            }
            Set<ObjectId> keep = new HashSet<>(walk.reachable());
            keep.addAll(ids);
            List<ObjectId> doomed = new ArrayList<>();
            int[] kept = {0};
            remote.remote().list(RemoteVersions.OBJECTS, key -> {
                ObjectId id = RemoteVersions.objectIdOf(key);
                if (id == null) {
                    return;
                }
                if (keep.contains(id)) {
                    kept[0]++;
                } else {
                    doomed.add(id);
                }
            });
            doomed.sort(null);
            if (!dryRun) {
                transfers.run(doomed, id -> remote.remote().delete(RemoteVersions.objectKey(id)));
            }
            return new Report(ids.size(), doomed, kept[0], dryRun);
        }
    }
}
