package verso.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.ControlledRemote;
import verso.remote.FaultyRemote;
import verso.remote.InMemoryRemote;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.TreeSource;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;

/** Fetch, checkout through a fetcher, remote verify and remote gc, against an in-memory remote. */
final class RemoteSyncTest {
    @TempDir
    Path dir;
    @TempDir
    Path other;
    SyncFixture a;
    SyncFixture b;
    InMemoryRemote remote = new InMemoryRemote();
    RemoteVersions rv = new RemoteVersions(remote, "mem");
    ObjectId v1;
    ObjectId v2;

    @BeforeEach
    void setUp() throws IOException {
        a = new SyncFixture(dir);
        a.write("data/a.txt", "alpha");
        a.writeRandom("data/big.bin", 3 * 4096 + 5, 2);
        a.add("data");
        v1 = a.commit("one");
        a.repo.versions().tag("first", v1);
        a.write("data/a.txt", "alpha 2");
        v2 = a.commit("two");
        a.pushLoose(rv, null); // as verso did before packs: later pushes add packs to a loose remote
        b = new SyncFixture(other);
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private ObjectId blobOf(SyncFixture f, ObjectId version, String path) throws IOException {
        return new TreeSource(f.repo.store(), null).lookup(f.repo.versions().read(version).find("data"), path).id();
    }

    @Test
    void fetch_freshClone_getsHistoryTagsAndTheVersionsObjects() throws IOException {
        Fetcher.Result r = b.fetch(rv, "first");
        assertEquals(v1, r.version());
        assertEquals(2, r.versions());
        assertEquals(1, r.tags());
        assertEquals(v1, b.repo.versions().resolve("first"));
        b.repo.checkout(v1, false, null, ProgressListener.NONE);
        assertEquals("alpha", Files.readString(other.resolve("data/a.txt")));
        assertEquals(-1, Files.mismatch(dir.resolve("data/big.bin"), other.resolve("data/big.bin")));
        Fetcher.Result again = b.fetch(rv, "first");
        assertEquals(0, again.objects());
    }

    @Test
    void checkout_withFetcher_downloadsWhatTheCacheLacks() throws IOException {
        b.fetch(rv, null);
        assertFalse(b.repo.store().contains(blobOf(a, v2, "data/a.txt")));
        try (Fetcher f = b.fetcher(rv)) {
            b.repo.checkout(v2, false, f, ProgressListener.NONE);
        }
        assertEquals("alpha 2", Files.readString(other.resolve("data/a.txt")));
    }

    @Test
    void fetch_corruptObject_failsNamingItAndStoresNothing() throws IOException {
        ObjectId bad = blobOf(a, v1, "data/a.txt");
        remote.corrupt(Layout.objectKey(bad), "alphA".getBytes());
        RepoException e = assertThrows(RepoException.class, () -> b.fetch(rv, v1.hex()));
        assertTrue(e.getMessage().contains(bad.hex()) && e.getMessage().contains("corrupt"), e.getMessage());
        assertFalse(b.repo.store().contains(bad));
        try (var tmp = Files.list(b.repo.store().root().resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void fetch_versionRecordChangedOnTheWay_isDownloadedAgain() throws IOException {
        FaultyRemote faulty = new FaultyRemote(remote);
        faulty.corruptNextGets(2);
        assertEquals(v1, b.fetch(new RemoteVersions(faulty, "faulty"), "first").version());
        assertEquals(v1, b.repo.versions().resolve("first"));
    }

    @Test
    void fetch_objectChangedOnTheWayOnce_isDownloadedAgain() throws IOException {
        FaultyRemote faulty = new FaultyRemote(remote);
        RemoteVersions frv = new RemoteVersions(faulty, "faulty");
        b.fetch(frv, null);
        ObjectId blob = blobOf(a, v1, "data/a.txt");
        b.repo.store().delete(Set.of(blob));
        faulty.corruptNextGets(2);
        b.fetch(frv, v1.hex());
        assertTrue(b.repo.store().contains(blob));
        assertEquals("alpha", new String(b.repo.store().read(blob)));
    }

    @Test
    void verifyRemote_findsCorruptAndMissingObjects() throws IOException {
        RemoteVerifier.Report ok = new RemoteVerifier(rv).run();
        assertTrue(ok.ok(), ok.problems().toString());
        assertEquals(SyncFixture.remoteObjects(remote).size(), ok.objects());
        ObjectId bad = blobOf(a, v1, "data/a.txt");
        remote.corrupt(Layout.objectKey(bad), "alphA".getBytes());
        ObjectId gone = blobOf(a, v2, "data/a.txt");
        remote.delete(Layout.objectKey(gone));
        RemoteVerifier.Report r = new RemoteVerifier(rv).run();
        assertEquals(2, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("corrupt object " + bad.hex())), r.problems().toString());
        assertTrue(r.problems().stream().anyMatch(p -> p.contains("missing object " + gone.hex())), r.problems().toString());
    }

    @Test
    void gcCloud_deletesOnlyUnreferencedObjectsPastTheGracePeriod_andDryRunNothing() throws IOException {
        byte[] stray = "stray".getBytes();
        ObjectId strayId = Hashing.hash(stray);
        remote.put(Layout.objectKey(strayId), stray);
        Set<ObjectId> before = SyncFixture.remoteObjects(remote);

        remote.advance(Duration.ofHours(23));
        CloudCollector.Report young = b.gcCloud(rv, false, Duration.ofDays(1));
        assertEquals(List.of(), young.deleted());
        assertEquals(1, young.young());
        assertEquals(before, SyncFixture.remoteObjects(remote));

        remote.advance(Duration.ofHours(2));
        CloudCollector.Report dry = b.gcCloud(rv, true, Duration.ofDays(1));
        assertEquals(List.of(strayId), dry.deleted());
        assertEquals(before, SyncFixture.remoteObjects(remote));

        CloudCollector.Report real = b.gcCloud(rv, false, Duration.ofDays(1));
        assertEquals(List.of(strayId), real.deleted());
        Set<ObjectId> after = SyncFixture.remoteObjects(remote);
        assertEquals(before.size() - 1, after.size());
        assertFalse(after.contains(strayId));
        assertTrue(new RemoteVerifier(rv).run().ok());
        assertEquals(0, locks(remote), "gc leaves no lock behind");
    }

    /**
     * Pushes every version to a fresh remote, held when its objects are uploaded, as it confirms its lock
     * before writing its first version.
     */
    private final class HeldPush implements AutoCloseable {
        final ControlledRemote held = new ControlledRemote();
        final RemoteVersions hrv = new RemoteVersions(held, "held");
        final CountDownLatch release = new CountDownLatch(1);
        final ExecutorService pusher = Executors.newSingleThreadExecutor();
        final ObjectId v3;
        final Future<Pusher.Result> push;

        HeldPush() throws Exception {
            a.push(hrv, List.of(v1));
            a.writeRandom("data/new.bin", 5 * 4096, 9);
            v3 = a.commit("three");
            CountDownLatch reached = new CountDownLatch(1);
            held.holdExists(Layout.LOCKS, reached, release);
            push = pusher.submit(() -> a.push(hrv, null));
            assertTrue(reached.await(10, TimeUnit.SECONDS), "the push uploaded its objects");
        }

        Pusher.Result finish() throws Exception {
            release.countDown();
            return push.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            release.countDown();
            pusher.shutdownNow();
        }
    }

    @Test
    void gcCloud_whileAPushHasUploadedItsObjectsButNotItsVersion_isRefusedAndLosesNothing() throws Exception {
        try (HeldPush p = new HeldPush()) {
            p.held.store.advance(Duration.ofMinutes(1));
            RepoException e = assertThrows(RepoException.class, () -> b.gcCloud(p.hrv, false, Duration.ZERO));
            assertTrue(e.getMessage().contains("locked by push"), e.getMessage());
            assertEquals(2, p.finish().versions());
            p.held.store.advance(Duration.ofMinutes(1));
            assertEquals(List.of(), b.gcCloud(p.hrv, false, Duration.ZERO).deleted());
            assertTrue(new RemoteVerifier(p.hrv).run().ok());
            assertEquals(p.v3, b.fetch(p.hrv, p.v3.hex()).version());
            b.repo.checkout(p.v3, false, null, ProgressListener.NONE);
            assertEquals(-1, Files.mismatch(dir.resolve("data/new.bin"), other.resolve("data/new.bin")));
        }
    }

    @Test
    void push_whoseLockWasRemovedAsStale_writesNoVersion_andARerunCompletes() throws Exception {
        try (HeldPush p = new HeldPush()) {
            p.held.store.advance(RemoteLock.STALE.plusMinutes(1));
            CloudCollector.Report gc = b.gcCloud(p.hrv, false, Duration.ZERO);
            assertTrue(gc.deleted().size() + gc.packs() > 0, gc.toString());
            ExecutionException e = assertThrows(ExecutionException.class, p::finish);
            assertTrue(e.getCause().getMessage().contains("removed as stale"), e.getCause().getMessage());
            assertFalse(p.hrv.ids().contains(p.v3));
            assertTrue(new RemoteVerifier(p.hrv).run().ok());
            assertEquals(2, a.push(p.hrv, null).versions());
            assertTrue(new RemoteVerifier(p.hrv).run().ok());
        }
    }

    @Test
    void push_whileGcHoldsTheLock_isRefusedAndWritesNoVersion() throws IOException {
        a.write("data/a.txt", "alpha 3");
        ObjectId v3 = a.commit("three");
        try (RemoteLock gc = RemoteLock.take(rv, true, "gc --cloud")) {
            RepoException e = assertThrows(RepoException.class, () -> a.push(rv, null));
            assertTrue(e.getMessage().contains("locked by gc --cloud"), e.getMessage());
        }
        assertFalse(rv.ids().contains(v3));
        assertEquals(1, a.push(rv, null).versions());
        assertEquals(0, locks(remote));
    }

    private static int locks(InMemoryRemote r) {
        int[] n = {0};
        r.list(Layout.LOCKS, f -> n[0]++);
        return n[0];
    }
}
