package verso.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.InMemoryRemote;
import verso.remote.Remote;
import verso.remote.RemoteException;
import verso.remote.RemoteFile;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.TreeSource;
import verso.repo.VersionLog;
import verso.store.ObjectId;

final class PusherTest {
    @TempDir
    Path dir;
    SyncFixture f;
    InMemoryRemote remote;

    @BeforeEach
    void setUp() throws IOException {
        f = new SyncFixture(dir);
        remote = new InMemoryRemote();
        f.write("data/a.txt", "alpha");
        f.write("data/sub/b.txt", "beta");
        f.writeRandom("data/big.bin", 5 * 4096 + 17, 1);
        f.add("data");
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private Pusher pusher(Remote r) {
        return new Pusher(f.repo.store(), f.repo.versions(), new RemoteVersions(r, "mem"), ProgressListener.NONE);
    }

    @Test
    void push_everything_sendsEveryObjectThenTheVersions() throws IOException {
        ObjectId v1 = f.commit("one");
        f.write("data/a.txt", "alpha 2");
        ObjectId v2 = f.commit("two");
        Pusher.Result r = pusher(remote).run(null);
        assertEquals(2, r.versions());
        assertEquals(f.localObjects(), SyncFixture.remoteObjects(remote));
        assertEquals(f.localObjects().size(), r.objects());
        assertTrue(remote.exists("versions/" + v1.hex()) && remote.exists("versions/" + v2.hex()));
    }

    @Test
    void push_again_listsOnlyAndSendsNothing() throws IOException {
        f.commit("one");
        pusher(remote).run(null);
        long puts = remote.puts.get();
        long gets = remote.gets.get();
        Pusher.Plan plan = pusher(remote).plan(null);
        assertTrue(plan.isEmpty(), plan.toString());
        Pusher.Result r = pusher(remote).run(null);
        assertEquals(0, r.objects());
        assertEquals(1, r.alreadyThere());
        assertEquals(puts, remote.puts.get());
        assertEquals(gets, remote.gets.get());
    }

    @Test
    void plan_newVersion_sendsOnlyWhatTheRemoteVersionsLack() throws IOException {
        f.commit("one");
        pusher(remote).run(null);
        f.write("data/sub/b.txt", "beta 2");
        ObjectId v2 = f.commit("two");
        Set<ObjectId> before = new HashSet<>(SyncFixture.remoteObjects(remote));
        Pusher.Plan plan = pusher(remote).plan(null);
        Set<ObjectId> expected = new HashSet<>(f.localObjects());
        expected.removeAll(before);
        // the version object, the root tree, the sub tree and the new blob
        assertEquals(4, expected.size());
        assertEquals(expected, new HashSet<>(plan.objects()));
        assertEquals(List.of(v2), plan.versions().stream().map(VersionLog.Entry::id).toList());
    }

    @Test
    void plan_chosenVersion_sendsOnlyIt() throws IOException {
        ObjectId v1 = f.commit("one");
        f.write("data/a.txt", "alpha 2");
        f.commit("two");
        Pusher.Result r = pusher(remote).run(List.of(v1));
        assertEquals(1, r.versions());
        assertTrue(remote.exists("versions/" + v1.hex()));
        assertEquals(1, new RemoteVersions(remote, "mem").ids().size());
    }

    @Test
    void plan_missingObject_namesTheVersion() throws IOException {
        ObjectId v1 = f.commit("one");
        f.repo.store().delete(Set.of(someBlob(v1)));
        RepoException e = assertThrows(RepoException.class, () -> pusher(remote).plan(null));
        assertTrue(e.getMessage().contains("cannot push version " + v1.shortHex()), e.getMessage());
        assertFalse(remote.exists("versions/" + v1.hex()));
    }

    private ObjectId someBlob(ObjectId v) throws IOException {
        TreeSource trees = new TreeSource(f.repo.store(), null);
        return trees.lookup(f.repo.versions().read(v).find("data"), "data/a.txt").id();
    }

    @Test
    void push_tags_followTheirVersions() throws IOException {
        ObjectId v1 = f.commit("one");
        f.repo.versions().tag("v1", v1);
        pusher(remote).run(null);
        assertEquals(v1, new RemoteVersions(remote, "mem").tags().get("v1"));
    }

    @Test
    void push_interruptedBeforeTheVersion_completesWhenRunAgain() throws Exception {
        ObjectId v1 = f.commit("one");
        AtomicBoolean failVersions = new AtomicBoolean(true);
        Remote flaky = new Remote() {
            @Override
            public InputStream get(String key, long offset, long length) throws IOException {
                return remote.get(key, offset, length);
            }

            @Override
            public void put(String key, byte[] data) throws IOException {
                if (key.startsWith("versions/") && failVersions.get()) {
                    throw new RemoteException("injected: connection refused");
                }
                remote.put(key, data);
            }

            @Override
            public void put(String key, Path file) throws IOException {
                remote.put(key, file);
            }

            @Override
            public boolean exists(String key) {
                return remote.exists(key);
            }

            @Override
            public long size(String key) throws IOException {
                return remote.size(key);
            }

            @Override
            public void list(String prefix, Consumer<RemoteFile> key) {
                remote.list(prefix, key);
            }

            @Override
            public void delete(String key) {
                remote.delete(key);
            }

            @Override
            public String describe() {
                return "flaky";
            }
        };
        assertThrows(RemoteException.class, () -> pusher(flaky).run(null));
        assertTrue(new RemoteVersions(remote, "mem").ids().isEmpty(), "no version without its objects");
        failVersions.set(false);
        Pusher.Result r = pusher(flaky).run(null);
        assertEquals(1, r.versions());
        assertTrue(remote.exists("versions/" + v1.hex()));
        RemoteVerifier.Report report = new RemoteVerifier(new RemoteVersions(remote, "mem")).run();
        assertTrue(report.ok(), report.problems().toString());
    }
}
