package verso.sync;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import verso.remote.PackLists;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.PackLocator;
import verso.store.VersionPacks;

/**
 * Where a remote keeps the objects of some of its versions ({@link PackLocator}), loaded from the
 * versions' {@code version-packs/} records (a version without one, pushed before packs, has only loose
 * objects) and the indexes they name, each checked against its id; and the reads that follow from it.
 */
final class RemotePacks {
    /** Pack indexes read and decoded at once. */
    static final int INDEX_LOADS = 2;

    private final RemoteVersions remote;
    private final PackLocator locator = new PackLocator();
    private final Map<ObjectId, VersionPacks> lists = new ConcurrentHashMap<>();

    RemotePacks(RemoteVersions remote) {
        this.remote = remote;
    }

    /** Loads the pack lists of {@code versions} and the indexes they name (each once). */
    void load(Collection<ObjectId> versions, Transfers transfers) throws IOException {
        List<ObjectId> todo = new ArrayList<>(versions.stream().filter(v -> !lists.containsKey(v)).distinct().toList());
        if (todo.size() > 1) {
            // one listing instead of a GET per version, most of which may have no list
            Set<ObjectId> listed = ConcurrentHashMap.newKeySet();
            remote.remote().list(Layout.VERSION_PACKS, f -> {
                ObjectId v = Layout.idOf(Layout.VERSION_PACKS, f.key());
                if (v != null) {
                    listed.add(v);
                }
            });
            for (ObjectId v : todo) {
                if (!listed.contains(v)) {
                    lists.put(v, new VersionPacks(v, List.of()));
                }
            }
            todo.retainAll(listed);
        }
        transfers.run(todo, v -> lists.put(v, PackLists.read(remote.remote(), v)));
        Set<ObjectId> wanted = new LinkedHashSet<>();
        for (ObjectId v : todo) {
            wanted.addAll(lists.get(v).indexes());
        }
        wanted.removeIf(locator::hasIndex);
        // an index of 100,000 objects is about 7 MiB to read and as much again while it is decoded: a few at
        // a time, not one per transfer thread
        try (Transfers few = new Transfers(INDEX_LOADS)) {
            few.run(wanted, i -> locator.add(i, PackLists.readIndex(remote.remote(), i)));
        }
    }

    /** Every index loaded, by id. */
    Map<ObjectId, PackIndex> indexes() {
        return locator.indexes();
    }

    /** The GETs that read {@code ids} (see {@link PackLocator#runs}). */
    List<PackLocator.Run> runs(Collection<ObjectId> ids) {
        return locator.runs(ids);
    }

    /** The bytes of one object: a ranged GET into its pack, or its loose key. */
    InputStream open(ObjectId id) throws IOException {
        PackLocator.Run run = locator.run(id);
        return remote.remote().get(run.key(), run.offset(), run.length());
    }
}
