package verso.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.FileInserter.FileContent;
import verso.store.Hashing;

final class WorkspaceIndexTest {
    @TempDir
    Path dir;

    private FileStat attrs(Path p) throws IOException {
        return FileStat.lstat(p);
    }

    /** The lookup of {@code f} as if its executable bit were {@code executable}. */
    private WorkspaceIndex.Known known(WorkspaceIndex idx, String path, Path f, boolean executable)
            throws IOException {
        FileStat a = attrs(f);
        return idx.lookup(path.getBytes(StandardCharsets.UTF_8),
                new FileStat(a.kind(), a.size(), a.mtimeNanos(), a.key(), executable), new WorkspaceIndex.Hint());
    }

    private FileContent lookup(WorkspaceIndex idx, String path, Path f) throws IOException {
        WorkspaceIndex.Known k = known(idx, path, f, false);
        return k == null ? null : k.content();
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
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        idx.record("d/a", attrs(f), c, false);
        idx.save(List.of("d"));
        WorkspaceIndex again = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        assertEquals(c, lookup(again, "d/a", f));
        Files.writeString(f, "beta!");
        assertNull(lookup(again, "d/a", f), "a changed mtime is a miss");
    }

    @Test
    void lookup_fileReplacedWithSameSizeAndMtime_isAMiss() throws IOException {
        Path f = oldFile("a", "alpha");
        FileContent c = new FileContent(Hashing.hash("alpha".getBytes()), false, 5);
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        idx.record("a", attrs(f), c, false);
        idx.save(List.of("a"));
        FileTime mtime = Files.getLastModifiedTime(f);
        Path other = oldFile("other", "gamma");
        Files.setLastModifiedTime(other, mtime);
        Files.move(other, f, StandardCopyOption.REPLACE_EXISTING); // another inode, same size and mtime
        assertNull(lookup(WorkspaceIndex.load(dir.resolve("index"), 4096, 0), "a", f));
    }

    @Test
    void lookup_withAHintThatIsWrong_stillFindsEveryRecord() throws IOException {
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        List<String> names = List.of("d/a", "d/b", "d/c", "e", "f/g");
        for (String n : names) {
            Path f = oldFile(n.replace('/', '-'), n);
            idx.record(n, attrs(f), new FileContent(Hashing.hash(n.getBytes()), false, n.length()), false);
        }
        idx.save(List.of("d", "e", "f"));
        WorkspaceIndex again = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        WorkspaceIndex.Hint hint = new WorkspaceIndex.Hint(); // one hint for lookups out of order
        for (String n : List.of("f/g", "d/b", "e", "d/a", "d/c", "d/c", "x")) {
            Path f = dir.resolve(n.equals("x") ? "e" : n.replace('/', '-'));
            WorkspaceIndex.Known k = again.lookup(n.getBytes(StandardCharsets.UTF_8), attrs(f), hint);
            if (n.equals("x")) {
                assertNull(k);
            } else {
                assertEquals(Hashing.hash(n.getBytes()), k.content().id(), n);
            }
        }
    }

    @Test
    void lookup_storedRecord_holdsOnlyWhileTheStoreLostNothing() throws IOException {
        Path f = oldFile("a", "alpha");
        Path g = oldFile("b", "beta");
        FileContent c = new FileContent(Hashing.hash("alpha".getBytes()), false, 5);
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        idx.record("a", attrs(f), c, true);
        idx.record("b", attrs(g), new FileContent(Hashing.hash("beta".getBytes()), false, 4), false);
        idx.save(List.of("a", "b"));

        WorkspaceIndex same = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        assertTrue(known(same, "a", f, false).stored());
        assertFalse(known(same, "b", g, false).stored(), "only hashed, never stored");

        WorkspaceIndex afterGc = WorkspaceIndex.load(dir.resolve("index"), 4096, 77);
        assertFalse(known(afterGc, "a", f, false).stored(), "objects were removed since");
        afterGc.record("b", attrs(g), new FileContent(Hashing.hash("beta".getBytes()), false, 4), true);
        afterGc.save(List.of("b")); // "a" is kept as it was, but may no longer claim to be stored

        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 77);
        assertFalse(known(next, "a", f, false).stored());
        assertEquals(c, known(next, "a", f, false).content());
        assertTrue(known(next, "b", g, false).stored());
        assertNull(known(WorkspaceIndex.load(dir.resolve("index"), 4096, 77), "a", f, true),
                "the executable bit changed");
    }

    @Test
    void lookup_recentlyModifiedFile_isNotTrusted() throws IOException {
        Path f = dir.resolve("fresh");
        Files.writeString(f, "x");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        idx.record("fresh", attrs(f), new FileContent(Hashing.hash("x".getBytes()), false, 1), false);
        assertNull(lookup(idx, "fresh", f));
    }

    @Test
    void recordWritten_isJudgedRacyWhenSaved_notWhenRecorded() throws IOException {
        // Written 0.9 s ago: racy when recorded, no longer when the index is saved a moment later.
        Path early = dir.resolve("early");
        Files.writeString(early, "e");
        Instant written = Instant.now().minusMillis(900);
        Files.setLastModifiedTime(early, FileTime.from(written));
        Path fresh = dir.resolve("fresh");
        Files.writeString(fresh, "f");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        FileContent e = new FileContent(Hashing.hash("e".getBytes()), false, 1);
        idx.recordWritten("early", attrs(early), e);
        idx.recordWritten("fresh", attrs(fresh), new FileContent(Hashing.hash("f".getBytes()), false, 1));
        while (!Instant.now().isAfter(written.plusMillis(1_050))) {
            Thread.onSpinWait(); // the clock only moves on: at most 0.15 s
        }
        idx.save(List.of("early", "fresh"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        assertEquals(e, lookup(next, "early", early));
        assertTrue(known(next, "early", early, false).stored());
        assertNull(lookup(next, "fresh", fresh), "written within the second before the save: racy");
    }

    @Test
    void save_justAfterWritingALargeFile_waitsUntilItIsNoLongerRacy() throws IOException {
        // 2 GiB (sparse) written just now: hashing it again on the next scan would take longer than
        // the rest of the second, so the save waits that out and trusts the record.
        Path big = dir.resolve("big");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2L << 30);
        }
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        FileContent c = new FileContent(Hashing.hash("big".getBytes()), true, 2L << 30);
        idx.recordWritten("big", attrs(big), c);
        idx.save(List.of("big"));
        assertEquals(c, lookup(WorkspaceIndex.load(dir.resolve("index"), 4096, 0), "big", big));
    }

    @Test
    void load_otherBlockSizeOrGarbage_isEmpty() throws IOException {
        Path f = oldFile("a", "alpha");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        idx.record("a", attrs(f), new FileContent(Hashing.hash("alpha".getBytes()), false, 5), false);
        idx.save(List.of("a"));
        assertEquals(0, WorkspaceIndex.load(dir.resolve("index"), 8192, 0).size());
        Files.writeString(dir.resolve("index"), "garbage");
        assertEquals(0, WorkspaceIndex.load(dir.resolve("index"), 4096, 0).size());
    }

    @Test
    void save_dropsUnseenEntriesUnderScannedRoots() throws IOException {
        Path f = oldFile("a", "alpha");
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        FileContent c = new FileContent(Hashing.hash("alpha".getBytes()), false, 5);
        idx.record("d/a", attrs(f), c, false);
        idx.record("e/a", attrs(f), c, false);
        idx.save(List.of("d", "e"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
        lookup(next, "d/a", f);
        next.save(List.of("d", "e"));
        assertEquals(1, WorkspaceIndex.load(dir.resolve("index"), 4096, 0).size());
    }

    @Test
    void save_recordsSpilledInRuns_mergeWithOldEntriesNewestWinning() throws IOException {
        Path f = oldFile("a", "alpha");
        FileContent one = new FileContent(Hashing.hash("one".getBytes()), false, 5);
        FileContent two = new FileContent(Hashing.hash("two".getBytes()), false, 5);
        WorkspaceIndex idx = WorkspaceIndex.load(dir.resolve("index"), 4096, 0, 7);
        idx.record("keep/x", attrs(f), one, false);
        for (int i = 99; i >= 0; i--) {
            idx.record("d/" + i, attrs(f), one, false);
        }
        idx.record("d/5", attrs(f), two, false); // recorded twice: the later one counts
        idx.save(List.of("d", "keep"));
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 0, 7);
        assertEquals(101, next.size());
        assertEquals(two, lookup(next, "d/5", f));
        for (int i = 0; i < 100; i++) {
            lookup(next, "d/" + i, f);
        }
        next.record("d/50", attrs(f), two, false);
        next.save(List.of("d")); // keep/x lies outside the scanned roots: kept though not seen
        WorkspaceIndex last = WorkspaceIndex.load(dir.resolve("index"), 4096, 0, 7);
        assertEquals(101, last.size());
        assertEquals(one, lookup(last, "keep/x", f));
        assertEquals(two, lookup(last, "d/50", f));
        assertEquals(one, lookup(last, "d/49", f));
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
        WorkspaceIndex next = WorkspaceIndex.load(dir.resolve("index"), 4096, 0);
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
