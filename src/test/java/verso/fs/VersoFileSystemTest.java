package verso.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import verso.read.ContentSource;
import verso.store.EntryType;
import verso.store.ObjectId;

final class VersoFileSystemTest {
    private static final Instant T1 = Instant.parse("2024-03-01T10:00:00.250Z");
    private static final Instant T2 = Instant.parse("2024-03-02T11:30:15.500Z");
    private static final int BIG = 9 * 1024 * 1024 + 123;

    @TempDir
    Path tmp;
    private TestRepo repo;
    private DirCatalog catalog;
    private StoreContentSource content;
    private VersoFileSystem fs;
    private ObjectId v1;
    private ObjectId v2;
    private byte[] big;

    @BeforeEach
    void setUp() throws IOException {
        repo = new TestRepo(tmp);
        repo.write("datasets/train.csv", "a,b\n1,2\n");
        repo.writeExecutable("datasets/tools/run.sh", "#!/bin/sh\necho hi\n");
        repo.symlink("datasets/current", "train.csv");
        repo.write("data/a.npz", "first a");
        v1 = repo.commit(T1, "first", "datasets", "data/a.npz");
        big = TestRepo.random(BIG, 7);
        repo.write("data/a.npz", "second a");
        repo.write("data/big.bin", big);
        v2 = repo.commit(T2, "second", "datasets", "data/a.npz", "data/big.bin");
        repo.tag("v1.0", v1);
        catalog = new DirCatalog(repo.meta());
        catalog.refresh();
        content = new StoreContentSource(repo.store());
        fs = new VersoFileSystem(catalog, content);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    /** A read at an offset into a buffer: by handle or by path. */
    private interface Reader {
        int read(long offset, ByteBuffer dst) throws FsException;
    }

    private static byte[] readToEnd(Reader reader) throws FsException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[128 * 1024];
        long off = 0;
        int n;
        while ((n = reader.read(off, ByteBuffer.wrap(buf))) > 0) {
            out.write(buf, 0, n);
            off += n;
        }
        return out.toByteArray();
    }

    private byte[] readAll(String path) throws FsException {
        long h = fs.open(path, 0);
        try {
            return readToEnd((off, dst) -> read(h, off, dst));
        } finally {
            fs.release(h);
        }
    }

    private byte[] readAllByPath(String path) throws FsException {
        return readToEnd((off, dst) -> read(path, off, dst));
    }

    /** Reads 1000 bytes of big.bin at {@code at}: all of them, into the buffer from its position. */
    private void assertReadsBigAt(Reader reader, int at) throws FsException {
        ByteBuffer dst = ByteBuffer.allocate(1000);
        assertEquals(1000, reader.read(at, dst));
        assertEquals(1000, dst.position(), "the read advances the buffer");
        assertArrayEquals(Arrays.copyOfRange(big, at, at + 1000), dst.array());
    }

    private static void assertErrno(Errno expected, Executable call) {
        assertEquals(expected, assertThrows(FsException.class, call).errno());
    }

    private int read(long handle, long offset, ByteBuffer dst) throws FsException {
        return fs.read(handle, offset, dst.remaining(), ContentSource.copyTo(dst));
    }

    private int read(String path, long offset, ByteBuffer dst) throws FsException {
        return fs.read(path, offset, dst.remaining(), ContentSource.copyTo(dst));
    }

    @Test
    void readdir_root_listsLayout() throws FsException {
        assertEquals(List.of("dates", "latest", "tags", "versions"), names(fs.readdir("/")));
        assertEquals(List.of(v1.hex(), v2.hex()), fs.readdir("/versions").stream().map(DirEntry::name).toList());
        assertEquals(List.of("v1.0"), names(fs.readdir("/tags")));
        assertEquals(List.of("2024-03-01T10:00:00Z", "2024-03-02T11:30:15Z"), names(fs.readdir("/dates")));
    }

    @Test
    void readdir_sink_getsEntriesInOrderUntilItStops() throws FsException {
        String datasets = "/versions/" + v1.hex() + "/datasets";
        List<String> all = new ArrayList<>();
        fs.readdir(datasets, e -> all.add(e.name()));
        assertEquals(List.of("current", "tools", "train.csv"), all);
        List<String> first = new ArrayList<>();
        fs.readdir(datasets, e -> {
            first.add(e.name());
            return false; // a full buffer: no more entries are made
        });
        assertEquals(List.of("current"), first);
        List<String> top = new ArrayList<>();
        fs.readdir("/", e -> top.add(e.name()) && top.size() < 2);
        assertEquals(List.of("dates", "latest"), top);
    }

    @Test
    void readdir_fromAnIndex_givesTheEntriesFromThere() throws FsException {
        String datasets = "/versions/" + v1.hex() + "/datasets";
        List<String> tail = new ArrayList<>();
        fs.readdir(datasets, 1, e -> tail.add(e.name()));
        assertEquals(List.of("tools", "train.csv"), tail);
        List<String> top = new ArrayList<>();
        fs.readdir("/", 2, e -> top.add(e.name()));
        assertEquals(List.of("tags", "versions"), top);
        List<String> past = new ArrayList<>();
        fs.readdir(datasets, 3, e -> past.add(e.name()));
        assertEquals(List.of(), past);
        assertErrno(Errno.EINVAL, () -> fs.readdir(datasets, -1, e -> true));
    }

    @Test
    void readlink_layoutLinks_pointAtVersions() throws FsException {
        assertEquals("versions/" + v2.hex(), fs.readlink("/latest"));
        assertEquals("../versions/" + v1.hex(), fs.readlink("/tags/v1.0"));
        assertEquals("../versions/" + v1.hex(), fs.readlink("/dates/2024-03-01T10:00:00Z"));
        assertEquals(EntryType.SYMLINK, fs.getattr("/latest").type());
        assertEquals(("versions/" + v2.hex()).length(), fs.getattr("/latest").size());
    }

    @Test
    void readlink_storedSymlink_returnsRecordedTarget() throws FsException {
        String p = "/versions/" + v1.hex() + "/datasets/current";
        assertEquals("train.csv", fs.readlink(p));
        Attributes a = fs.getattr(p);
        assertEquals(EntryType.SYMLINK, a.type());
        assertEquals(0777, a.permissions());
    }

    @Test
    void getattr_entries_carrySizesModesAndVersionTime() throws FsException {
        String root = "/versions/" + v1.hex();
        Attributes csv = fs.getattr(root + "/datasets/train.csv");
        assertEquals(EntryType.FILE, csv.type());
        assertEquals(8, csv.size());
        assertEquals(0444, csv.permissions());
        assertEquals(T1, csv.time());
        Attributes sh = fs.getattr(root + "/datasets/tools/run.sh");
        assertEquals(0555, sh.permissions());
        Attributes dir = fs.getattr(root + "/datasets/tools");
        assertEquals(EntryType.DIR, dir.type());
        assertEquals(0555, dir.permissions());
        assertEquals(T1, dir.time());
        assertEquals(T1, fs.getattr(root).time());
        assertEquals(T2, fs.getattr("/").time());
        assertEquals(T2, fs.getattr("/versions").time());
        assertEquals(4, fs.getattr("/versions").links());
        assertEquals(BIG, fs.getattr("/versions/" + v2.hex() + "/data/big.bin").size());
    }

    @Test
    void readdir_trackedPathWithSlash_makesIntermediateDirectory() throws FsException {
        String root = "/versions/" + v2.hex();
        assertEquals(List.of("data", "datasets"), names(fs.readdir(root)));
        Attributes data = fs.getattr(root + "/data");
        assertEquals(EntryType.DIR, data.type());
        assertEquals(T2, data.time());
        assertEquals(List.of("a.npz", "big.bin"), names(fs.readdir(root + "/data")));
        assertEquals(List.of("current", "tools", "train.csv"), names(fs.readdir(root + "/datasets")));
    }

    @Test
    void read_files_returnStoredBytes() throws IOException, FsException {
        assertEquals("first a", new String(readAll("/versions/" + v1.hex() + "/data/a.npz")));
        assertEquals("second a", new String(readAll("/versions/" + v2.hex() + "/data/a.npz")));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("ws/datasets/train.csv")),
                readAll("/versions/" + v2.hex() + "/datasets/train.csv"));
        assertArrayEquals(big, readAll("/versions/" + v2.hex() + "/data/big.bin"));
    }

    @Test
    void read_acrossBlockBoundaryAndPastEnd_isExact() throws FsException {
        long h = fs.open("/versions/" + v2.hex() + "/data/big.bin", 0);
        assertReadsBigAt((off, dst) -> read(h, off, dst), 4 * 1024 * 1024 - 500);
        ByteBuffer buf = ByteBuffer.allocate(1000);
        assertEquals(123, read(h, BIG - 123, buf.clear()));
        assertEquals(0, read(h, BIG, buf.clear()));
        assertEquals(1, content.open.get());
        fs.release(h);
        assertEquals(0, content.open.get());
        assertErrno(Errno.EBADF, () -> read(h, 0, buf.clear()));
    }

    @Test
    void readByPath_files_returnStoredBytes_chunkedFileStaysOpenForItsNextRead() throws FsException {
        assertEquals("second a", new String(readAllByPath("/versions/" + v2.hex() + "/data/a.npz")));
        assertEquals(0, content.open.get(), "a file of one object is closed after each read");
        String bigPath = "/versions/" + v2.hex() + "/data/big.bin";
        Reader byPath = (off, dst) -> read(bigPath, off, dst);
        assertReadsBigAt(byPath, 4 * 1024 * 1024 - 500);
        assertReadsBigAt(byPath, 0);
        assertEquals(1, content.open.get(), "one open file for every read of the chunked file");
        assertEquals(123, read(bigPath, BIG - 123, ByteBuffer.allocate(1000)));
        assertEquals(0, content.open.get(), "a read that reaches the end lets the file go");
        assertArrayEquals(big, readAllByPath(bigPath));
        assertEquals(0, content.open.get());
        assertEquals(0, fs.openFiles(), "no handle was taken");
    }

    @Test
    void readByPath_notAFile_carriesItsErrno() {
        String root = "/versions/" + v1.hex();
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertErrno(Errno.EISDIR, () -> read(root + "/datasets", 0, dst));
        assertErrno(Errno.EINVAL, () -> read(root + "/datasets/current", 0, dst));
        assertErrno(Errno.ENOENT, () -> read(root + "/none", 0, dst));
        assertErrno(Errno.EINVAL, () -> read(root + "/data/a.npz", -1, dst));
    }

    @Test
    void writes_areRefusedWithEROFS() {
        String file = "/versions/" + v1.hex() + "/data/a.npz";
        assertErrno(Errno.EROFS, () -> fs.open(file, 1));
        assertErrno(Errno.EROFS, () -> fs.open(file, 2));
    }

    @Test
    void errors_carryTheirErrno() {
        String root = "/versions/" + v1.hex();
        assertErrno(Errno.ENOENT, () -> fs.getattr("/nothing"));
        assertErrno(Errno.ENOENT, () -> fs.getattr(root + "/missing"));
        assertErrno(Errno.ENOENT, () -> fs.getattr("/tags/none"));
        assertErrno(Errno.ENOENT, () -> fs.getattr("/versions/" + "0".repeat(64)));
        assertErrno(Errno.ENOTDIR, () -> fs.getattr(root + "/datasets/train.csv/x"));
        assertErrno(Errno.ENOTDIR, () -> fs.readdir(root + "/datasets/train.csv"));
        assertErrno(Errno.EISDIR, () -> fs.open(root + "/datasets", 0));
        assertErrno(Errno.EINVAL, () -> fs.readlink(root + "/datasets/train.csv"));
        assertErrno(Errno.ENAMETOOLONG, () -> fs.getattr(root + "/" + "x".repeat(300)));
    }

    @Test
    void getattr_shortId_isLinkToFullId() throws FsException {
        String prefix = v1.hex().substring(0, 10);
        assertEquals(EntryType.SYMLINK, fs.getattr("/versions/" + prefix).type());
        assertEquals(v1.hex(), fs.readlink("/versions/" + prefix));
        assertErrno(Errno.ENOENT, () -> fs.getattr("/versions/" + v1.hex().substring(0, 3)));
    }

    @Test
    void refresh_newVersion_appears() throws IOException, FsException {
        repo.write("data/a.npz", "third a");
        Instant t3 = Instant.parse("2024-03-03T00:00:00Z");
        ObjectId v3 = repo.commit(t3, "third", "data/a.npz");
        assertErrno(Errno.ENOENT, () -> fs.getattr("/versions/" + v3.hex()));
        catalog.refresh();
        assertEquals("versions/" + v3.hex(), fs.readlink("/latest"));
        assertEquals("third a", new String(readAll("/versions/" + v3.hex() + "/data/a.npz")));
        assertEquals(t3, fs.getattr("/").time());
    }

    @Test
    void dates_sameSecond_nameTheNewest() throws IOException, FsException {
        Instant early = Instant.parse("2024-03-05T08:00:00.100Z");
        Instant late = Instant.parse("2024-03-05T08:00:00.900Z");
        repo.write("data/a.npz", "early");
        ObjectId e = repo.commit(early, "early", "data/a.npz");
        repo.write("data/a.npz", "late");
        ObjectId l = repo.commit(late, "late", "data/a.npz");
        catalog.refresh();
        assertEquals("../versions/" + l.hex(), fs.readlink("/dates/2024-03-05T08:00:00Z"));
        assertTrue(fs.readdir("/versions").stream().anyMatch(d -> d.name().equals(e.hex())));
    }

    @Test
    void statfs_totalsEveryVersion() {
        FsUsage u = fs.statfs();
        long expected = catalog.snapshot().versions().stream().mapToLong(v -> v.version().totalSize()).sum();
        assertEquals(expected, u.totalBytes());
        assertTrue(u.totalBytes() > BIG);
        assertEquals(255, u.nameMax());
    }

    /**
     * A folder of more entries than the tree cache holds is decoded once, not once per lookup or
     * listing: a million-file folder in the daemon's cache of about 335,000 entries was decoded again
     * for every file a listing gave.
     */
    @Test
    void aFolderLargerThanTheTreeCache_isDecodedOnce() throws IOException, FsException {
        for (int i = 0; i < 50; i++) {
            repo.write("wide/f" + i, "file " + i);
        }
        ObjectId v = repo.commit(T2.plusSeconds(60), "wide", "wide");
        catalog.refresh();
        VersoFileSystem small = new VersoFileSystem(catalog, content, 10);
        String dir = "/versions/" + v.hex() + "/wide";
        assertEquals(50, small.readdir(dir).size());
        int loads = content.treeLoads.get();
        for (int i = 0; i < 50; i++) {
            assertEquals(("file " + i).length(), small.getattr(dir + "/f" + i).size());
        }
        assertEquals(50, small.readdir(dir).size());
        assertEquals(loads, content.treeLoads.get());
    }

    @Test
    void trees_areCachedAcrossCalls() throws FsException {
        String p = "/versions/" + v1.hex() + "/datasets/tools/run.sh";
        fs.getattr(p);
        int loads = content.treeLoads.get();
        fs.getattr(p);
        fs.readdir("/versions/" + v1.hex() + "/datasets/tools");
        assertEquals(loads, content.treeLoads.get());
    }

    @Test
    void treeCacheEntries_daemonHeap_holdsA200000FileFolderWithRoomToDecodeIt() {
        long heap = 114L << 20; // what -Xmx128m gives the daemon's parallel collector
        long entries = VersoFileSystem.treeCacheEntries(heap);
        assertTrue(entries > 200_000, entries + " entries: a folder of 200,000 files stays decoded");
        assertTrue(entries * VersoFileSystem.BYTES_PER_TREE_ENTRY <= heap / 4,
                entries + " entries: at most a quarter of the heap, the rest for decoding and listing");
        assertEquals(VersoFileSystem.MAX_TREE_CACHE_ENTRIES, VersoFileSystem.treeCacheEntries(8L << 30));
    }
}
