package verso.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verso.repo.ProgressListener;
import verso.repo.Reachability;
import verso.repo.RepoException;
import verso.repo.TreeSource;
import verso.repo.VersionLog;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.ObjectIdSet;
import verso.store.ObjectStore;
import verso.store.TreeEntry;

/**
 * {@code push}: copies versions, their objects and their tags to a remote.
 *
 * <p>Design: what the remote has is learned from one listing of its {@code versions/}: a version there
 * implies all its objects are there, because a push writes every object before the version (the
 * version is the commit point). The objects to upload are those reachable from the versions to push,
 * minus those reachable from versions already on the remote that this clone knows (walked in local
 * trees; shared subtrees are skipped whole), so no request is made per object to ask whether it
 * exists. Objects go up in parallel; then the version records, oldest first; then the tags that name
 * pushed versions. Every put is idempotent, so an interrupted push re-run completes (re-sending what
 * the remote cannot yet be known to have). A push with nothing new is one listing.
 */
public final class Pusher {
    /**
     * What a push will send: {@code versions} (oldest first), {@code objects} (a compact set, in no
     * order) with their total {@code bytes}, and {@code present}, the requested versions the remote already has.
     */
    public record Plan(List<VersionLog.Entry> versions, Collection<ObjectId> objects, long bytes,
                       List<ObjectId> present, Map<String, ObjectId> tags) {
        public boolean isEmpty() {
            return versions.isEmpty() && objects.isEmpty() && tags.isEmpty();
        }
    }

    /** What a push sent. */
    public record Result(int versions, int objects, long bytes, int tags, int alreadyThere) {
    }

    private final ObjectStore store;
    private final VersionLog versions;
    private final RemoteVersions remote;
    private final ProgressListener progress;

    public Pusher(ObjectStore store, VersionLog versions, RemoteVersions remote, ProgressListener progress) {
        this.store = store;
        this.versions = versions;
        this.remote = remote;
        this.progress = progress;
    }

    /** Works out what to send for {@code requested} (null: every local version). Reads no object remotely. */
    Plan plan(Collection<ObjectId> requested) throws IOException {
        List<ObjectId> wanted = requested == null ? versions.ids() : List.copyOf(new HashSet<>(requested));
        Set<ObjectId> onRemote = remote.ids();
        List<VersionLog.Entry> toPush = new ArrayList<>();
        List<ObjectId> present = new ArrayList<>();
        for (ObjectId id : wanted) {
            if (onRemote.contains(id)) {
                present.add(id);
            } else {
                toPush.add(new VersionLog.Entry(id, versions.read(id)));
            }
        }
        toPush.sort(Comparator.comparing((VersionLog.Entry e) -> e.version().time()).thenComparing(VersionLog.Entry::id));
        Set<ObjectId> objects = new ObjectIdSet();
        long bytes = 0;
        if (!toPush.isEmpty()) {
            Reachability reach = new Reachability(new TreeSource(store, null));
            Set<ObjectId> seen = new ObjectIdSet();
            for (ObjectId id : onRemote) {
                if (versions.contains(id)) {
                    for (TreeEntry e : versions.read(id).paths()) {
                        // A tree of a pushed version may have been gc'd here: what is below it is on the remote.
                        reach.walk(e, seen, missing -> { });
                    }
                }
            }
            for (VersionLog.Entry v : toPush) {
                Set<ObjectId> mine = new ObjectIdSet();
                Set<ObjectId> missing = new LinkedHashSet<>();
                mine.add(v.id());
                for (TreeEntry e : v.version().paths()) {
                    reach.walk(e, seen, mine::add, missing::add);
                }
                for (ObjectId id : mine) {
                    if (!store.contains(id)) {
                        missing.add(id);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new RepoException("cannot push version " + v.id().shortHex() + " (" + v.version().time()
                            + "): " + missing.size() + " of its objects are not in the cache (first "
                            + missing.iterator().next().shortHex() + "); fetch them from a remote that has them, or push "
                            + "other versions by id");
                }
                for (ObjectId id : mine) {
                    objects.add(id);
                    bytes += store.size(id);
                }
            }
        }
        return new Plan(toPush, objects, bytes, present, tagsToPush(wanted));
    }

    /** Plans and sends. */
    public Result run(Collection<ObjectId> requested) throws IOException {
        return send(plan(requested));
    }

    /**
     * Sends a plan under the remote's shared lock: objects (in parallel), then, once the lock is confirmed
     * still held, versions oldest first, then tags.
     */
    Result send(Plan plan) throws IOException {
        if (!plan.isEmpty()) {
            try (RemoteLock lock = RemoteLock.take(remote, false, "push")) {
                sendObjects(plan);
                lock.check();
                sendVersionsAndTags(plan);
            }
        }
        return new Result(plan.versions().size(), plan.objects().size(), plan.bytes(), plan.tags().size(),
                plan.present().size());
    }

    private void sendObjects(Plan plan) throws IOException {
        progress.start("Pushing to " + remote.name(), plan.bytes());
        try (Transfers transfers = new Transfers()) {
            transfers.run(plan.objects(), id -> {
                remote.remote().put(Layout.objectKey(id), store.pathOf(id));
                progress.advance(store.size(id));
            });
        } finally {
            progress.done();
        }
    }

    private void sendVersionsAndTags(Plan plan) throws IOException {
        for (VersionLog.Entry v : plan.versions()) {
            byte[] bytes = v.version().encode();
            if (!Hashing.hash(bytes).equals(v.id())) {
                throw new IllegalStateException("version " + v.id() + " does not re-encode to its id");
            }
            remote.remote().put(Layout.versionKey(v.id()), bytes);
        }
        for (Map.Entry<String, ObjectId> t : plan.tags().entrySet()) {
            remote.writeTag(t.getKey(), t.getValue());
        }
    }

    private Map<String, ObjectId> tagsToPush(List<ObjectId> wanted) throws IOException {
        Set<ObjectId> set = new HashSet<>(wanted);
        Map<String, ObjectId> local = new LinkedHashMap<>();
        versions.tags().forEach((n, id) -> {
            if (set.contains(id)) {
                local.put(n, id);
            }
        });
        Map<String, ObjectId> out = new LinkedHashMap<>();
        if (!local.isEmpty()) {
            Map<String, ObjectId> there = remote.tags();
            local.forEach((n, id) -> {
                if (!id.equals(there.get(n))) {
                    out.put(n, id);
                }
            });
        }
        return out;
    }
}
