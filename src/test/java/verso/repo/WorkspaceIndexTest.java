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
}
