package verso.sync;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import verso.repo.RepoException;
import verso.repo.VersionLog;
import verso.store.CorruptObjectException;
import verso.store.Layout;
import verso.store.ObjectId;

/**
 * {@code verify --remote}: checks a remote as a fresh clone would rely on it. Every version record must
 * hash to its name and decode; every object any version references must be listed under
 * {@code objects/}, and every object there is downloaded and re-hashed (trees and block indexes are
 * decoded and followed, never the local cache's copies); every tag must name a version on the remote.
 * Objects that no version references are counted as a note: {@code gc --cloud} removes them.
 */
public final class RemoteVerifier {
    /** {@code problems} empty means the remote is sound. */
    public record Report(int versions, long objects, List<String> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final RemoteVersions remote;

    public RemoteVerifier(RemoteVersions remote) {
        this.remote = remote;
    }

    public Report run() throws IOException {
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<String> notes = new ArrayList<>();
        Set<ObjectId> ids = remote.ids();
        List<VersionLog.Entry> versions = Collections.synchronizedList(new ArrayList<>());
        Set<ObjectId> present = new HashSet<>();
        remote.remote().list(Layout.OBJECTS, file -> {
            ObjectId id = Layout.objectIdOf(file.key());
            if (id != null) {
                present.add(id);
            }
        });
        try (Transfers transfers = new Transfers()) {
            transfers.run(ids, id -> {
                try {
                    versions.add(new VersionLog.Entry(id, remote.read(id, null)));
                } catch (RepoException | CorruptObjectException e) {
                    problems.add("version " + id.hex() + ": corrupt record (" + e.getMessage() + ")");
                }
            });
            RemotePacks packs = new RemotePacks(remote);
            packs.load(ids, transfers);
            present.addAll(soundPackedObjects(packs, problems));
            RemoteReachability walk = new RemoteReachability(remote, packs, null, transfers);
            walk.walk(versions, present::contains, true);
            problems.addAll(walk.problems());
            List<ObjectId> rest = new ArrayList<>();
            int unreferenced = 0;
            for (ObjectId id : present) {
                if (!walk.reachable().contains(id)) {
                    rest.add(id);
                    unreferenced += ids.contains(id) ? 0 : 1;
                }
            }
            walk.rehash(rest, (id, p) -> problems.add(p));
            if (unreferenced > 0) {
                notes.add(unreferenced + " object(s) on the remote belong to no version (left by an interrupted push "
                        + "or a deleted version); verso gc --cloud removes them");
            }
            for (String tag : remote.tagNames()) {
                ObjectId v = remote.readTag(tag);
                if (v == null || !ids.contains(v)) {
                    problems.add("tag " + tag + " names " + (v == null ? "no valid version id" : "version "
                            + v.shortHex() + ", which the remote does not have"));
                }
            }
        }
        List<String> sorted = new ArrayList<>(problems);
        Collections.sort(sorted);
        return new Report(ids.size(), present.size(), sorted, notes);
    }

    /**
     * The objects of the loaded packs whose pack is on the remote at the size its index gives; each pack
     * that is not is a problem.
     */
    private Set<ObjectId> soundPackedObjects(RemotePacks packs, List<String> problems) throws IOException {
        Map<ObjectId, Long> sizes = new HashMap<>();
        remote.remote().list(Layout.PACKS, f -> {
            ObjectId id = Layout.idOf(Layout.PACKS, f.key());
            if (id != null) {
                sizes.put(id, f.size());
            }
        });
        Set<ObjectId> sound = new HashSet<>();
        packs.indexes().forEach((indexId, index) -> {
            Long size = sizes.get(index.pack());
            if (size == null) {
                problems.add("missing pack " + index.pack().hex() + " (named by pack index " + indexId.shortHex() + ")");
            } else if (size != index.packSize()) {
                problems.add("corrupt pack " + index.pack().hex() + ": " + size + " bytes, its index says "
                        + index.packSize());
            } else {
                sound.addAll(index.ids());
            }
        });
        return sound;
    }
}
