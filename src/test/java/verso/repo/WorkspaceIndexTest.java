package verso.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.FileInserter.FileContent;
import verso.store.Hashing;

final class WorkspaceIndexTest {
    @TempDir
    Path dir;

    private PosixFileAttributes attrs(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private Path oldFile(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
        return p;
    }

    @Test
    void lookup_afterSaveAndLoad_hitsWhileMetadataMatches() throws IOException {
        Path f = oldFile("a", "alpha");
        FileContent c = new FileContent(Hashing.hash("alpha".getBytes()), false, 5);
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096);
        idx.record("d/a", attrs(f), c);
        idx.save(List.of("d"));
        WorkspaceIndex again = WorkspaceIndex.load(dir.resolve("index"), 4096);
        assertEquals(c, again.lookup("d/a", attrs(f)));
        Files.writeString(f, "beta!");
        assertNull(again.lookup("d/a", attrs(f)), "a changed mtime is a miss");
    }

    @Test
    void lookup_recentlyModifiedFile_isNotTrusted() throws IOException {
        Path f = dir.resolve("fresh");
        Files.writeString(f, "x");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096);
        idx.record("fresh", attrs(f), new FileContent(Hashing.hash("x".getBytes()), false, 1));
        assertNull(idx.lookup("fresh", attrs(f)));
    }

    @Test
    void load_otherBlockSizeOrGarbage_isEmpty() throws IOException {
        Path f = oldFile("a", "alpha");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096);
        idx.record("a", attrs(f), new FileContent(Hashing.hash("alpha".getBytes()), false, 5));
        idx.save(List.of("a"));
        assertEquals(0, WorkspaceIndex.load(dir.resolve("index"), 8192).size());
        Files.writeString(dir.resolve("index"), "garbage");
        assertEquals(0, WorkspaceIndex.load(dir.resolve("index"), 4096).size());
    }

    @Test
    void save_dropsUnseenEntriesUnderScannedRoots() throws IOException {
        Path f = oldFile("a", "alpha");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096);
        FileContent c = new FileContent(Hashing.hash("alpha".getBytes()), false, 5);
        idx.record("d/a", attrs(f), c);
        idx.record("e/a", attrs(f), c);
        idx.save(List.of("d", "e"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096);
        next.lookup("d/a", attrs(f));
        next.save(List.of("d", "e"));
        assertEquals(1, WorkspaceIndex.load(dir.resolve("index"), 4096).size());
    }

    @Test
    void save_recordsSpilledInRuns_mergeWithOldEntriesNewestWinning() throws IOException {
        Path f = oldFile("a", "alpha");
        FileContent one = new FileContent(Hashing.hash("one".getBytes()), false, 5);
        FileContent two = new FileContent(Hashing.hash("two".getBytes()), false, 5);
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 7);
        idx.record("keep/x", attrs(f), one);
        for (int i = 99; i >= 0; i--) {
            idx.record("d/" + i, attrs(f), one);
        }
        idx.record("d/5", attrs(f), two); // recorded twice: the later one counts
        idx.save(List.of("d", "keep"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 7);
        assertEquals(101, next.size());
        assertEquals(two, next.lookup("d/5", attrs(f)));
        for (int i = 0; i < 100; i++) {
            next.lookup("d/" + i, attrs(f));
        }
        next.record("d/50", attrs(f), two);
        next.save(List.of("d")); // keep/x lies outside the scanned roots: kept though not seen
        WorkspaceIndex last = WorkspaceIndex.load(dir.resolve("index"), 4096, 7);
        assertEquals(101, last.size());
        assertEquals(one, last.lookup("keep/x", attrs(f)));
        assertEquals(two, last.lookup("d/50", attrs(f)));
        assertEquals(one, last.lookup("d/49", attrs(f)));
        try (var s = Files.list(dir)) {
            assertEquals(List.of("a", "index"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no run is left behind");
        }
    }

    @Test
    void tree_recordedThenLoaded_isFoundInWalkOrder() throws IOException {
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 2);
        WorkspaceIndex.CachedTree t = new WorkspaceIndex.CachedTree(3, Hashing.hash("t".getBytes()), 10, 3);
        for (String p : List.of("d/a.b", "d/a/b", "d", "d/a", "d/a-")) {
            idx.recordTree(p, t);
        }
        idx.save(List.of("d"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096);
        for (String p : List.of("d", "d/a", "d/a/b", "d/a-", "d/a.b")) {
            assertEquals(t, next.tree(p), p);
        }
        assertNull(next.tree("d/b"));
    }

    @Test
    void comparePaths_isTheOrderOfAWalkByName() {
        List<String> walk = List.of("d", "d/a", "d/a/b", "d/a-", "d/a.b", "d/b");
        for (int i = 0; i + 1 < walk.size(); i++) {
            byte[] x = walk.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] y = walk.get(i + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assertions.assertTrue(IndexTable.comparePaths(x, y) < 0, walk.get(i));
        }
    }
}
