package verso.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.InMemoryRemote;
import verso.remote.PackLists;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.TreeSource;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.VersionPacks;

/** Push, fetch, verify and gc of versions whose small objects travel in packs. */
final class PackedSyncTest {
    private static final int FILES = 300;

    @TempDir
    Path dir;
    @TempDir
    Path other;
    SyncFixture a;
    SyncFixture b;
    InMemoryRemote remote = new InMemoryRemote();
    RemoteVersions rv = new RemoteVersions(remote, "mem");

    @BeforeEach
    void setUp() throws IOException {
        a = new SyncFixture(dir);
        for (int i = 0; i < FILES; i++) {
            a.write("data/d" + (i % 3) + "/f" + i + ".txt", "file " + i);
        }
        a.writeRandom("data/big.bin", 5 * 4096 + 3, 7);
        a.add("data");
        b = new SyncFixture(other);
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private List<String> keys(String prefix) {
        List<String> out = new ArrayList<>();
        remote.list(prefix, f -> out.add(f.key()));
        return out;
    }

    private ObjectId blobOf(ObjectId version, String path) throws IOException {
        return new TreeSource(a.repo.store(), null).lookup(a.repo.versions().read(version).find("data"), path).id();
    }

    /** Flips one byte of {@code id} inside its pack on the remote. */
    private void corruptInPack(ObjectId id) throws IOException {
        for (ObjectId index : PackLists.read(remote, rvFirstVersion()).indexes()) {
            PackIndex p = PackLists.readIndex(remote, index);
            int i = p.ids().indexOf(id);
            if (i >= 0) {
                byte[] pack = remote.getBytes(Layout.packKey(p.pack()));
                pack[(int) p.offset(i)] ^= 1;
                remote.corrupt(Layout.packKey(p.pack()), pack);
                return;
            }
        }
        throw new AssertionError("not packed: " + id);
    }

    private ObjectId rvFirstVersion() throws IOException {
        return rv.ids().iterator().next();
    }

    @Test
    void push_smallObjects_travelInPacks_andTheVersionNamesTheirIndexes() throws IOException {
        ObjectId v1 = a.commit("one");
        Pusher.Result r = a.push(rv, null);
        assertEquals(a.localObjects().size(), r.objects());
        assertEquals(List.of(), keys(Layout.OBJECTS), "every object is under 1 MiB: none loose");
        assertEquals(2, keys(Layout.PACKS).size(), "one pack of trees and the version, one of file data");
        assertEquals(a.localObjects(), SyncFixture.remoteObjects(remote));
        VersionPacks list = PackLists.read(remote, v1);
        assertEquals(2, list.indexes().size());
        PackIndex first = PackLists.readIndex(remote, list.indexes().get(0));
        PackIndex second = PackLists.readIndex(remote, list.indexes().get(1));
        PackIndex metadata = first.count() < second.count() ? first : second;
        // the tree of data/, its 3 folders, the big file's block index and the version
        assertEquals(6, metadata.count());
        assertTrue(new RemoteVerifier(rv).run().ok());
    }

    @Test
    void fetch_freshClone_getsEveryObjectWithAFewRequests() throws IOException {
        ObjectId v1 = a.commit("one");
        a.push(rv, null);
        long before = remote.gets.get();
        Fetcher.Result r = b.fetch(rv, v1.hex());
        long gets = remote.gets.get() - before;
        assertEquals(a.localObjects().size() - 1, r.objects(), "every object but the version object itself");
        // the version record, its pack list, the index, then one range per tree level and one for the data
        assertTrue(gets <= 10, gets + " GETs for " + r.objects() + " objects");
        b.repo.checkout(v1, false, null, ProgressListener.NONE);
        for (int i = 0; i < FILES; i += 37) {
            String rel = "data/d" + (i % 3) + "/f" + i + ".txt";
            assertEquals(Files.readString(dir.resolve(rel)), Files.readString(other.resolve(rel)));
        }
        assertEquals(-1, Files.mismatch(dir.resolve("data/big.bin"), other.resolve("data/big.bin")));
    }

    @Test
    void fetch_corruptByteInAPack_failsNamingThatObjectAndNeverStoresIt() throws IOException {
        ObjectId v1 = a.commit("one");
        a.push(rv, null);
        ObjectId bad = blobOf(v1, "data/d1/f1.txt");
        corruptInPack(bad);
        RepoException e = assertThrows(RepoException.class, () -> b.fetch(rv, v1.hex()));
        assertTrue(e.getMessage().contains(bad.hex()) && e.getMessage().contains("corrupt"), e.getMessage());
        assertFalse(b.repo.store().contains(bad));
    }

    @Test
    void verifyRemote_findsACorruptObjectInAPackAndAMissingPack() throws IOException {
        ObjectId v1 = a.commit("one");
        a.push(rv, null);
        ObjectId bad = blobOf(v1, "data/d2/f2.txt");
        corruptInPack(bad);
        RemoteVerifier.Report r = new RemoteVerifier(rv).run();
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains("corrupt object " + bad.hex()), r.problems().toString());
        for (String k : keys(Layout.PACKS)) {
            remote.delete(k);
        }
        RemoteVerifier.Report gone = new RemoteVerifier(rv).run();
        assertTrue(gone.problems().stream().anyMatch(p -> p.startsWith("missing pack ")), gone.problems().toString());
        assertFalse(gone.ok());
    }

    @Test
    void push_onALooseRemote_packsOnlyWhatIsNew_andBothVersionsFetch() throws IOException {
        ObjectId v1 = a.commit("one");
        a.pushLoose(rv, null);
        a.write("data/d0/f0.txt", "changed");
        ObjectId v2 = a.commit("two");
        a.push(rv, null);
        assertEquals(List.of(), PackLists.read(remote, v1).indexes());
        List<ObjectId> v2Indexes = PackLists.read(remote, v2).indexes();
        assertEquals(2, v2Indexes.size());
        // the new blob; its folder's tree, the data tree and the version object
        assertEquals(List.of(1, 3), List.of(PackLists.readIndex(remote, v2Indexes.get(0)).count(),
                PackLists.readIndex(remote, v2Indexes.get(1)).count()).stream().sorted().toList());
        b.fetch(rv, v2.hex());
        b.repo.checkout(v2, false, null, ProgressListener.NONE);
        assertEquals("changed", Files.readString(other.resolve("data/d0/f0.txt")));
        assertEquals("file 3", Files.readString(other.resolve("data/d0/f3.txt")));
        assertTrue(new RemoteVerifier(rv).run().ok());
    }

    @Test
    void push_newVersion_namesTheOlderPacksItSharesObjectsWith() throws IOException {
        ObjectId v1 = a.commit("one");
        a.push(rv, null);
        a.write("data/d0/f0.txt", "changed");
        ObjectId v2 = a.commit("two");
        a.push(rv, null);
        Set<ObjectId> v1Indexes = new HashSet<>(PackLists.read(remote, v1).indexes());
        Set<ObjectId> v2Indexes = new HashSet<>(PackLists.read(remote, v2).indexes());
        assertEquals(4, v2Indexes.size(), "v1's two packs and its own two");
        assertTrue(v2Indexes.containsAll(v1Indexes));
        b.fetch(rv, v2.hex());
        b.repo.checkout(v2, false, null, ProgressListener.NONE);
        assertEquals("file 299", Files.readString(other.resolve("data/d2/f299.txt")));
    }

    @Test
    void gcCloud_deletesPacksNoVersionNames_keepsTheOthers() throws IOException {
        ObjectId v1 = a.commit("one");
        a.push(rv, null);
        byte[] orphan = "orphan pack".getBytes();
        ObjectId orphanPack = Hashing.hash(orphan);
        remote.put(Layout.packKey(orphanPack), orphan);
        PackIndex orphanIndex = PackIndex.of(orphanPack, List.of(Hashing.hash("x".getBytes())), List.of(11L));
        byte[] indexBytes = orphanIndex.encode();
        remote.put(Layout.packIndexKey(Hashing.hash(indexBytes)), indexBytes);
        List<String> livePacks = new ArrayList<>(keys(Layout.PACKS));
        livePacks.remove(Layout.packKey(orphanPack));

        remote.advance(Duration.ofMinutes(1));
        CloudCollector.Report dry = b.gcCloud(rv, true, Duration.ZERO);
        assertEquals(1, dry.packs());
        assertEquals(3, keys(Layout.PACKS).size());

        CloudCollector.Report r = b.gcCloud(rv, false, Duration.ZERO);
        assertEquals(1, r.packs());
        assertEquals(livePacks, keys(Layout.PACKS));
        assertEquals(2, keys(Layout.PACK_INDEXES).size());
        assertTrue(new RemoteVerifier(rv).run().ok());
        b.fetch(rv, v1.hex());
        b.repo.checkout(v1, false, null, ProgressListener.NONE);
        assertEquals("file 5", Files.readString(other.resolve("data/d2/f5.txt")));
    }
}
