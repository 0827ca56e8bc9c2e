package verso.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.FaultyRemote;
import verso.remote.InMemoryRemote;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.Version;

final class CatalogTest {
    @TempDir
    Path tmp;

    private static Version version(int n) {
        return Version.of(null, Instant.parse("2024-01-01T00:00:00Z").plusSeconds(n), "v" + n, List.of());
    }

    private static ObjectId put(Path meta, Version v) throws IOException {
        Files.createDirectories(meta.resolve("versions"));
        Files.write(meta.resolve("versions").resolve(v.id().hex()), v.encode());
        return v.id();
    }

    @Test
    void dirCatalog_badVersionFiles_areSkipped() throws IOException {
        Path meta = tmp.resolve("meta");
        ObjectId good = put(meta, version(1));
        Files.write(meta.resolve("versions").resolve(version(2).id().hex()), version(3).encode());
        Files.writeString(meta.resolve("versions").resolve("0".repeat(64)), "not json");
        Files.writeString(meta.resolve("versions").resolve("README"), "hello");
        DirCatalog c = new DirCatalog(meta);
        c.refresh();
        assertEquals(List.of(good), c.snapshot().versions().stream().map(CatalogVersion::id).toList());
    }

    @Test
    void dirCatalog_tags_needAKnownVersion() throws IOException {
        Path meta = tmp.resolve("meta");
        ObjectId a = put(meta, version(1));
        Files.createDirectories(meta.resolve("tags"));
        Files.writeString(meta.resolve("tags").resolve("good"), a.hex() + "\n");
        Files.writeString(meta.resolve("tags").resolve("dangling"), version(9).id().hex() + "\n");
        Files.writeString(meta.resolve("tags").resolve("junk"), "xyz");
        DirCatalog c = new DirCatalog(meta);
        c.refresh();
        assertEquals(List.of("good"), List.copyOf(c.snapshot().tags().keySet()));
    }

    @Test
    void dirCatalog_versionWhosePreparationFails_isShown_andPreparedAgainAtEachRefresh() throws IOException {
        Path meta = tmp.resolve("meta");
        ObjectId a = put(meta, version(1));
        List<ObjectId> prepared = new ArrayList<>();
        boolean[] remoteDown = {true};
        DirCatalog c = new DirCatalog(meta, v -> {
            if (remoteDown[0]) {
                throw new IOException("remote unreachable");
            }
            prepared.add(v);
        });
        c.refresh();
        assertEquals(List.of(a), c.snapshot().versions().stream().map(CatalogVersion::id).toList());
        c.refresh();
        assertEquals(List.of(), prepared);
        remoteDown[0] = false;
        c.refresh();
        c.refresh();
        assertEquals(List.of(a), prepared, "prepared once it could be, then not again");
    }

    @Test
    void dirCatalog_missingDirectory_isEmpty() throws IOException {
        DirCatalog c = new DirCatalog(tmp.resolve("none"));
        c.refresh();
        assertTrue(c.snapshot().isEmpty());
        assertNull(c.snapshot().latest());
    }

    @Test
    void remoteCatalog_refresh_fetchesOnlyNewVersions() throws IOException {
        InMemoryRemote remote = new InMemoryRemote();
        Version v1 = version(1);
        remote.put("versions/" + v1.id().hex(), v1.encode());
        RemoteCatalog c = new RemoteCatalog(remote);
        c.refresh();
        long gets = remote.gets.get();
        Version v2 = version(2);
        remote.put("versions/" + v2.id().hex(), v2.encode());
        remote.put("tags/release", (v1.id().hex() + "\n").getBytes());
        c.refresh();
        assertEquals(2, remote.gets.get() - gets, "one new version and one tag");
        assertEquals(v2.id(), c.snapshot().latest().id());
        assertEquals(v1.id(), c.snapshot().tags().get("release"));
    }

    @Test
    void compositeCatalog_mergesAndDeduplicates_localTagsFirst() throws IOException {
        Path meta = tmp.resolve("meta");
        Version v1 = version(1);
        Version v2 = version(2);
        put(meta, v1);
        Files.createDirectories(meta.resolve("tags"));
        Files.writeString(meta.resolve("tags").resolve("t"), v1.id().hex());
        InMemoryRemote remote = new InMemoryRemote();
        remote.put("versions/" + v1.id().hex(), v1.encode());
        remote.put("versions/" + v2.id().hex(), v2.encode());
        remote.put("tags/t", v2.id().hex().getBytes());
        CompositeCatalog c = new CompositeCatalog(List.of(new DirCatalog(meta), new RemoteCatalog(remote)));
        c.refresh();
        assertEquals(List.of(v1.id(), v2.id()), c.snapshot().versions().stream().map(CatalogVersion::id).toList());
        assertEquals(v1.id(), c.snapshot().tags().get("t"));
    }

    @Test
    void refresher_newVersion_appearsWithinAPeriod() throws Exception {
        Path meta = tmp.resolve("meta");
        put(meta, version(1));
        DirCatalog c = new DirCatalog(meta);
        c.refresh();
        try (CatalogRefresher r = new CatalogRefresher(c, Duration.ofMillis(50))) {
            ObjectId v2 = put(meta, version(2));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!v2.equals(c.snapshot().latest().id()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(v2, c.snapshot().latest().id());
        }
    }

    @Test
    void snapshot_latest_isTheChildWhenTimesAreEqual() {
        Instant second = Instant.parse("2024-05-01T12:00:00Z");
        List<CatalogVersion> chain = new ArrayList<>();
        ObjectId parent = null;
        for (int i = 0; i < 5; i++) {
            // each id below its parent's, so that an order by id would put the child first
            Version v;
            ObjectId id;
            int attempt = 0;
            do {
                v = Version.of(parent, second, "commit " + i + "." + attempt++, List.of());
                id = Hashing.hash(v.encode());
            } while (parent != null && id.compareTo(parent) >= 0);
            parent = id;
            chain.add(new CatalogVersion(id, v));
        }
        for (int rotate = 0; rotate < chain.size(); rotate++) {
            List<CatalogVersion> given = new ArrayList<>(chain);
            Collections.rotate(given, rotate);
            CatalogSnapshot s = new CatalogSnapshot(given, java.util.Map.of());
            assertEquals(parent, s.latest().id());
            assertEquals(parent, s.dates().get("2024-05-01T12:00:00Z").id());
        }
    }

    @Test
    void snapshot_findByPrefix_matchesStart() {
        Version v1 = version(1);
        CatalogSnapshot s = new CatalogSnapshot(List.of(new CatalogVersion(v1.id(), v1)), java.util.Map.of());
        assertEquals(1, s.findByPrefix(v1.id().hex().substring(0, 6)).size());
        assertFalse(s.findByPrefix("zz").size() > 0);
    }

    @Test
    void remoteCatalog_withTheRemoteDownAtStart_showsTheMirroredVersions_andPreparesThemOnceItAnswers()
            throws IOException {
        InMemoryRemote remote = new InMemoryRemote();
        Version v1 = version(1);
        remote.put("versions/" + v1.id().hex(), v1.encode());
        remote.put("tags/first", (v1.id().hex() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path mirror = tmp.resolve("mirror");
        new RemoteCatalog(remote, id -> { }, mirror).refresh();

        FaultyRemote down = new FaultyRemote(remote).failNext(2, () -> new IOException("S3 is down"));
        List<ObjectId> prepared = new ArrayList<>();
        RemoteCatalog c = new RemoteCatalog(down, prepared::add, mirror);
        c.refresh();
        assertEquals(List.of(v1.id()), c.snapshot().versions().stream().map(CatalogVersion::id).toList());
        assertEquals(v1.id(), c.snapshot().tags().get("first"));
        assertTrue(prepared.isEmpty(), "the remote cannot be asked while it is down");

        // a later failure is reported as usual, and the versions shown stay
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, c::refresh);
        assertEquals(1, c.snapshot().versions().size());
        c.refresh();
        assertEquals(List.of(v1.id()), prepared, "prepared once the remote answers");
    }

    @Test
    void remoteCatalog_withoutAMirror_failsWhenTheRemoteIsDown() {
        FaultyRemote down = new FaultyRemote(new InMemoryRemote()).failNext(1, () -> new IOException("S3 is down"));
        RemoteCatalog c = new RemoteCatalog(down, id -> { }, null);
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, c::refresh);
    }
}
