package verso.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import verso.remote.PackLists;
import verso.remote.Remote;
import verso.repo.ProgressListener;
import verso.repo.RepoConfig;
import verso.repo.Repository;
import verso.store.Layout;
import verso.store.ObjectId;

/** A small repository with 4 KiB blocks (so files of a few blocks are chunked) and helpers for sync tests. */
final class SyncFixture implements AutoCloseable {
    final Path dir;
    final Repository repo;

    SyncFixture(Path dir) throws IOException {
        this.dir = dir;
        Repository.init(dir).close();
        Files.write(dir.resolve(".verso/config"), new RepoConfig(RepoConfig.FORMAT, null, 4096, List.of(), null).encode());
        this.repo = Repository.open(dir);
    }

    void write(String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    void writeRandom(String rel, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    void add(String... paths) throws IOException {
        repo.add(dir, List.of(paths), ProgressListener.NONE);
    }

    ObjectId commit(String msg) throws IOException {
        return repo.commit(msg, ProgressListener.NONE).id();
    }

    Set<ObjectId> localObjects() throws IOException {
        Set<ObjectId> out = new HashSet<>();
        repo.store().forEach(out::add);
        return out;
    }

    Pusher.Result push(RemoteVersions remote, Collection<ObjectId> versions) throws IOException {
        return new Pusher(repo.store(), repo.versions(), remote, ProgressListener.NONE).run(versions);
    }

    /** Pushes every object loose, as verso did before packs. */
    Pusher.Result pushLoose(RemoteVersions remote, Collection<ObjectId> versions) throws IOException {
        return new Pusher(repo.store(), repo.versions(), remote, ProgressListener.NONE, false).run(versions);
    }

    Fetcher fetcher(RemoteVersions remote) {
        return new Fetcher(repo.store(), repo.versions(), remote, ProgressListener.NONE);
    }

    Fetcher.Result fetch(RemoteVersions remote, String version) throws IOException {
        try (Fetcher f = fetcher(remote)) {
            return f.fetch(version, repo::workspaceEntries);
        }
    }

    CloudCollector.Report gcCloud(RemoteVersions remote, boolean dryRun, Duration grace) throws IOException {
        return new CloudCollector(repo.store(), repo.versions(), remote).run(dryRun, grace);
    }

    /** The objects on a remote: loose, and in the packs its pack indexes list. */
    static Set<ObjectId> remoteObjects(Remote remote) throws IOException {
        Set<ObjectId> out = new HashSet<>();
        remote.list(Layout.OBJECTS, f -> out.add(Layout.objectIdOf(f.key())));
        List<ObjectId> indexes = new ArrayList<>();
        remote.list(Layout.PACK_INDEXES, f -> indexes.add(Layout.idOf(Layout.PACK_INDEXES, f.key())));
        for (ObjectId i : indexes) {
            out.addAll(PackLists.readIndex(remote, i).ids());
        }
        return out;
    }

    @Override
    public void close() {
        repo.close();
    }
}
