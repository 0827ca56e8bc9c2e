package verso.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.remote.RemoteSpec;
import verso.store.CorruptObjectException;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

final class RepositoryTest {
    @TempDir
    Path dir;
    Repository repo;

    @BeforeEach
    void setUp() throws IOException {
        repo = Repository.init(dir);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    /** A status as told to a listener: the paths, and every path's changes in order. */
    private record Status(List<Comparison.PathStatus> paths, List<Change> changes) {
    }

    private Status status() throws IOException {
        Status st = new Status(new ArrayList<>(), new ArrayList<>());
        repo.status(new Comparison.Listener() {
            @Override
            public void path(Comparison.PathStatus s) {
                st.paths().add(s);
            }

            @Override
            public void change(Change c) {
                st.changes().add(c);
            }
        });
        return st;
    }

    private void write(String rel, String text) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void writeRandom(String rel, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, b);
    }

    private ObjectId commit(String msg) throws IOException {
        return repo.commit(msg, ProgressListener.NONE).id();
    }

    private void add(String... paths) throws IOException {
        repo.add(dir, List.of(paths), ProgressListener.NONE);
    }

    @Test
    void addAndCommit_packSmallObjects_andLeaveBlocksOfLargeFilesLoose() throws IOException {
        for (int i = 0; i < 60; i++) {
            write("data/d" + i % 6 + "/f" + i + ".txt", "file " + i);
        }
        writeRandom("data/big.bin", repo.blockSize() * 2 + 1, 5);
        add("data");
        ObjectId v = commit("one");
        Map<ObjectId, Long> loose = new HashMap<>();
        ObjectStore.forEachIn(repo.store().root().resolve("objects"), (id, f) -> loose.put(id, Files.size(f)));
        Map<ObjectId, Long> small = new HashMap<>(loose);
        small.values().removeIf(size -> size >= ObjectStore.PACKED_BELOW);
        assertEquals(Map.of(v, (long) repo.store().read(v).length), small, "only the version object is loose");
        assertEquals(2, loose.size() - small.size(), "the two whole blocks");
        Set<ObjectId> stored = new HashSet<>();
        repo.store().forEach(stored::add);
        assertEquals(60 + 7 + 3 + 1 + 1, stored.size(), "files, trees, blocks, the block index, the version");
        assertTrue(repo.verify(id -> false).ok());
        Files.delete(dir.resolve("data/d0/f0.txt"));
        repo.checkout(v, true, null, ProgressListener.NONE);
        assertEquals("file 0", Files.readString(dir.resolve("data/d0/f0.txt")));
    }

    @Test
    void open_outsideRepository_saysRunInit(@TempDir Path other) {
        RepoException e = assertThrows(RepoException.class, () -> Repository.open(other));
        assertTrue(e.getMessage().contains("run verso init"), e.getMessage());
    }

    @Test
    void init_twice_refuses() {
        assertThrows(RepoException.class, () -> Repository.init(dir));
    }

    @Test
    void add_writesPointerAndGitignore_andRefusesTwice() throws IOException {
        write("data/a.txt", "alpha");
        write("data/b/c.txt", "gamma");
        add("data");
        PointerFile pf = PointerFile.read(dir, "data");
        assertEquals(2, pf.entry().files());
        assertEquals(10, pf.entry().size());
        assertNull(pf.version());
        assertTrue(Files.readString(dir.resolve(".gitignore")).contains("/data\n"));
        RepoException e = assertThrows(RepoException.class, () -> add("data"));
        assertTrue(e.getMessage().contains("already tracked"), e.getMessage());
        assertThrows(RepoException.class, () -> add("data/a.txt"));
        assertThrows(RepoException.class, () -> add("../outside"));
    }

    @Test
    void add_namesInAnyScript_areStoredInTreeOrder() throws IOException {
        // UTF-8 byte order: a surrogate pair (U+1F600) after U+E000, where UTF-16 order has it before
        List<String> names = List.of("A", "a", "a-b", "a.b", "b~", "z", "\u00e9", "\u65e5\u672c", "\uE000",
                "\uD83D\uDE00");
        for (String n : names) {
            write("data/" + n, n);
        }
        add("data");
        ObjectId top = PointerFile.read(dir, "data").entry().id();
        Tree tree = Tree.decode(top, repo.store().read(top));
        assertEquals(names, tree.entries().stream().map(TreeEntry::name).toList());
    }

    @Test
    void commit_thenUnchanged_recordsNothing() throws IOException {
        write("data/a.txt", "alpha");
        add("data");
        ObjectId first = commit("one");
        assertNotNull(first);
        assertEquals(first, repo.head().orElseThrow());
        assertEquals(first, PointerFile.read(dir, "data").version());
        Recorder.CommitResult again = repo.commit("two", ProgressListener.NONE);
        assertFalse(again.changed());
        assertEquals(1, repo.versions().ids().size());
    }

    @Test
    void commit_largeFile_isChunkedAndRestoredExactly() throws IOException {
        writeRandom("data/big.bin", 9 << 20, 1);
        byte[] original = Files.readAllBytes(dir.resolve("data/big.bin"));
        add("data");
        ObjectId v1 = commit("big");
        Files.write(dir.resolve("data/big.bin"), new byte[] {1, 2, 3});
        ObjectId v2 = commit("small");
        repo.checkout(v1, false, null, ProgressListener.NONE);
        assertArrayEquals(original, Files.readAllBytes(dir.resolve("data/big.bin")));
        TreeEntry big = new TreeSource(repo.store(), null).lookup(repo.version(v1).find("data"), "data/big.bin");
        assertTrue(big.chunked());
        List<Change> d = new ArrayList<>();
        repo.diff(v1, v2, d::add);
        assertEquals(1, d.size());
        assertEquals('M', d.get(0).code());
        assertEquals(big, d.get(0).before());
    }

    @Test
    void status_seesChangesInsideDirectoriesWhoseTreesAreCached() throws IOException {
        write("data/sub/a.txt", "alpha");
        write("data/sub/b.txt", "beta");
        write("data/c.txt", "gamma");
        add("data");
        commit("one");
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        // same number of children, one replaced; and a chmod, which leaves mtime alone
        Files.delete(dir.resolve("data/sub/b.txt"));
        write("data/sub/z.txt", "zeta");
        Files.setPosixFilePermissions(dir.resolve("data/c.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Set<String> got = new HashSet<>();
        status().changes().forEach(c -> got.add(c.code() + " " + c.path()));
        assertEquals(Set.of("D data/sub/b.txt", "A data/sub/z.txt", "M data/c.txt"), got);
    }

    @Test
    void status_inAFolderOfManyFiles_findsEachChange() throws IOException {
        // more files than one batch of lstat calls, each batch split between walkers
        for (int i = 0; i < 2_500; i++) {
            write(String.format("data/big/f%04d", i), "file " + i);
        }
        write("data/sub/x.txt", "x");
        add("data");
        assertEquals(2_501, PointerFile.read(dir, "data").entry().files());
        commit("one");
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        for (int i : new int[] {5, 700, 1500, 2499}) {
            write(String.format("data/big/f%04d", i), "changed, and longer: " + i);
        }
        Files.delete(dir.resolve("data/big/f1030"));
        write("data/big/f1030a", "new");
        Set<String> got = new HashSet<>();
        status().changes().forEach(c -> got.add(c.code() + " " + c.path()));
        assertEquals(Set.of("M data/big/f0005", "M data/big/f0700", "M data/big/f1500", "M data/big/f2499",
                "D data/big/f1030", "A data/big/f1030a"), got);
    }

    @Test
    void status_reportsAddedChangedDeleted() throws IOException {
        write("data/a.txt", "alpha");
        write("data/b.txt", "beta");
        add("data");
        commit("one");
        write("data/a.txt", "ALPHA");
        Files.delete(dir.resolve("data/b.txt"));
        write("data/new/c.txt", "gamma");
        Status st = status();
        assertEquals(1, st.paths().size());
        assertEquals(Comparison.Kind.MODIFIED, st.paths().get(0).kind());
        Set<String> got = new HashSet<>();
        st.changes().forEach(c -> got.add(c.code() + " " + c.path()));
        assertEquals(Set.of("M data/a.txt", "D data/b.txt", "A data/new/c.txt"), got);
    }

    @Test
    void checkout_restoresFilesDirsSymlinksAndExecBits() throws IOException {
        write("data/run.sh", "#!/bin/sh\n");
        WorkspaceWriter.setExecutable(dir.resolve("data/run.sh"), true);
        write("data/sub/x.txt", "x");
        Files.createDirectories(dir.resolve("data/empty"));
        Files.createSymbolicLink(dir.resolve("data/link"), Paths.get("sub/x.txt"));
        add("data");
        ObjectId v1 = commit("one");
        deleteTree(dir.resolve("data"));
        write("data/other.txt", "o");
        repo.checkout(v1, true, null, ProgressListener.NONE);
        assertTrue(Files.isExecutable(dir.resolve("data/run.sh")));
        assertEquals("x", Files.readString(dir.resolve("data/sub/x.txt")));
        assertTrue(Files.isDirectory(dir.resolve("data/empty")));
        assertEquals(Paths.get("sub/x.txt"), Files.readSymbolicLink(dir.resolve("data/link")));
        assertFalse(Files.exists(dir.resolve("data/other.txt")));
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
    }

    @Test
    void checkout_recordsTheTreeOfEachFolderItCreates_andStatusStillSeesChangesInThem() throws IOException {
        write("data/a/x.txt", "x");
        write("data/a/y.txt", "y");
        write("data/b/z.txt", "z");
        add("data");
        ObjectId v1 = commit("one");
        ObjectId topId = PointerFile.read(dir, "data").entry().id();
        Tree top = Tree.decode(topId, repo.store().read(topId));
        deleteTree(dir.resolve("data"));
        repo.checkout(v1, true, null, ProgressListener.NONE);
        WorkspaceIndex index = repo.loadIndex();
        // a status that finds their files unchanged reuses these trees instead of building them again
        assertEquals(top.find("a").id(), index.tree("data/a").id());
        assertEquals(2, index.tree("data/a").children());
        assertEquals(topId, index.tree("data").id());
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        write("data/a/new.txt", "n");
        write("data/b/z.txt", "zz");
        Set<String> got = new HashSet<>();
        status().changes().forEach(c -> got.add(c.code() + " " + c.path()));
        assertEquals(Set.of("A data/a/new.txt", "M data/b/z.txt"), got);
    }

    @Test
    void checkout_refusesToOverwriteUncommittedWork_unlessForced() throws IOException {
        write("data/a.txt", "one");
        add("data");
        ObjectId v1 = commit("one");
        write("data/a.txt", "two");
        commit("two");
        write("data/a.txt", "unsaved work");
        RepoException e = assertThrows(RepoException.class,
                () -> repo.checkout(v1, false, null, ProgressListener.NONE));
        assertTrue(e.getMessage().contains("data/a.txt") && e.getMessage().contains("--force"), e.getMessage());
        assertEquals("unsaved work", Files.readString(dir.resolve("data/a.txt")));
        repo.checkout(v1, true, null, ProgressListener.NONE);
        assertEquals("one", Files.readString(dir.resolve("data/a.txt")));
    }

    @Test
    void checkout_removesTempFilesAKilledCheckoutLeft_soTheirDirectoryCanGo() throws IOException {
        write("data/keep.txt", "keep");
        write("data/sub/a.txt", "one");
        add("data");
        ObjectId v1 = commit("with sub");
        Files.delete(dir.resolve("data/sub/a.txt"));
        Files.delete(dir.resolve("data/sub"));
        ObjectId v2 = commit("without sub");
        repo.checkout(v1, false, null, ProgressListener.NONE);
        Path leftover = dir.resolve("data/sub/.verso-tmp-a.txt-0b0e5c1e-killed");
        Files.writeString(leftover, "half written");
        repo.checkout(v2, false, null, ProgressListener.NONE);
        assertFalse(Files.exists(dir.resolve("data/sub")));
        assertEquals("keep", Files.readString(dir.resolve("data/keep.txt")));
    }

    @Test
    void checkout_withoutVersion_followsPointerFile_andKeepsHead() throws IOException {
        write("data/a.txt", "one");
        add("data");
        commit("one");
        byte[] oldPointer = Files.readAllBytes(dir.resolve("data.verso"));
        write("data/a.txt", "two");
        ObjectId v2 = commit("two");
        Files.write(dir.resolve("data.verso"), oldPointer); // as git checkout REV -- data.verso does
        repo.checkout(null, false, null, ProgressListener.NONE);
        assertEquals("one", Files.readString(dir.resolve("data/a.txt")));
        assertEquals(v2, repo.head().orElseThrow());
        ObjectId v3 = commit("restored");
        assertEquals(v2, repo.version(v3).parent());
    }

    @Test
    void checkout_missingObject_callsFetcherThenFailsClearly() throws IOException {
        write("data/a.txt", "one");
        add("data");
        ObjectId v1 = commit("one");
        write("data/a.txt", "two");
        commit("two");
        ObjectId blob = verso.store.Hashing.hash("one".getBytes(StandardCharsets.UTF_8));
        repo.store().delete(Set.of(blob));
        AtomicInteger asked = new AtomicInteger();
        RepoException e = assertThrows(RepoException.class, () -> repo.checkout(v1, false,
                ids -> asked.addAndGet(ids.size()), ProgressListener.NONE));
        assertEquals(1, asked.get());
        assertTrue(e.getMessage().contains("not in the cache"), e.getMessage());
        assertEquals("two", Files.readString(dir.resolve("data/a.txt")));
    }

    @Test
    void checkout_maliciousTreeName_isRefused() throws IOException {
        String evil = "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"..\",\"type\":\"file\",\"size\":1,"
                + "\"executable\":false,\"blob\":\"" + repo.store().insert(new byte[] {1}).hex() + "\"}]}";
        ObjectId tree = repo.store().insert(evil.getBytes(StandardCharsets.UTF_8));
        ObjectId v = repo.versions().write(Version.of(null, Instant.now(), "evil",
                List.of(TreeEntry.dir("data", 1, 1, tree))));
        assertThrows(CorruptObjectException.class, () -> repo.checkout(v, true, null, ProgressListener.NONE));
        assertFalse(Files.exists(dir.resolve("data")));
        assertFalse(repo.verify(id -> false).ok());
    }

    @Test
    void gc_withoutRemote_keepsCommittedObjects_andForceDeletesThem() throws IOException {
        write("data/a.txt", "one");
        add("data");
        ObjectId v1 = commit("one");
        write("data/a.txt", "two");
        commit("two");
        ObjectId oneBlob = verso.store.Hashing.hash("one".getBytes(StandardCharsets.UTF_8));
        GarbageCollector.Report r = repo.gc(false, false, false, id -> false);
        assertTrue(repo.store().contains(oneBlob));
        assertEquals(List.of(v1), r.unpushed().stream().map(VersionLog.Entry::id).toList());
        GarbageCollector.Report onRemote = repo.gc(false, true, false, id -> true);
        assertTrue(onRemote.deleted().contains(oneBlob));
        assertTrue(repo.store().contains(oneBlob), "dry run deletes nothing");
        repo.gc(false, false, true, id -> false);
        assertFalse(repo.store().contains(oneBlob));
        assertTrue(repo.verify(id -> true).ok());
        assertFalse(repo.verify(id -> false).ok());
    }

    @Test
    void commit_afterObjectsWereRemoved_storesTheContentAgain() throws IOException {
        write("data/a.txt", "one");
        // Older than the index's racy window, so the index trusts its record of it.
        Files.setLastModifiedTime(dir.resolve("data/a.txt"), FileTime.from(Instant.now().minusSeconds(60)));
        add("data");
        ObjectId blob = verso.store.Hashing.hash("one".getBytes(StandardCharsets.UTF_8));
        repo.store().delete(Set.of(blob)); // as gc does to what no version holds
        commit("one");
        assertTrue(repo.store().contains(blob), "the index's record must not be trusted after a removal");
        assertTrue(repo.verify(id -> true).ok());
    }

    /** Writes a file whose mtime lies {@code agoSeconds} back, outside the index's racy window. */
    private void writeOld(String rel, String text, int agoSeconds) throws IOException {
        write(rel, text);
        Files.setLastModifiedTime(dir.resolve(rel), FileTime.from(Instant.now().minusSeconds(agoSeconds)));
    }

    private String content(ObjectId version, String path) throws IOException {
        TreeEntry e = new TreeSource(repo.store(), null).lookup(repo.version(version).find("data"), path);
        return e == null ? null : new String(repo.store().read(e.id()), StandardCharsets.UTF_8);
    }

    @Test
    void commit_withPaths_readsOnlyThem_andTakesTheRestFromThePointerFile() throws IOException {
        writeOld("data/a.txt", "a", 60);
        writeOld("data/c.txt", "c", 60);
        writeOld("data/sub/b.txt", "b", 60);
        add("data");
        commit("one");
        writeOld("data/a.txt", "A", 30);
        writeOld("data/c.txt", "C", 30);
        Files.delete(dir.resolve("data/sub/b.txt"));
        writeOld("data/sub/new/d.txt", "d", 30);

        ObjectId two = repo.commit("two", dir.resolve("data"), List.of("a.txt", "sub"), ProgressListener.NONE).id();
        assertEquals("A", content(two, "data/a.txt"));
        assertEquals("c", content(two, "data/c.txt"), "not named: as the pointer file had it");
        assertNull(content(two, "data/sub/b.txt"));
        assertEquals("d", content(two, "data/sub/new/d.txt"));
        assertEquals(3, repo.version(two).find("data").files(), "a, c and d (b is gone)");
        assertEquals(Set.of("M data/c.txt"), Set.copyOf(status().changes().stream()
                .map(c -> c.code() + " " + c.path()).toList()));

        ObjectId three = commit("three");
        assertEquals("C", content(three, "data/c.txt"));
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        assertTrue(repo.verify(id -> false).ok());
    }

    @Test
    void commit_ofOneFile_leavesTheIndexRight_forTheNextFullScan() throws IOException {
        writeOld("data/a.txt", "a", 60);
        writeOld("data/c.txt", "c", 60);
        add("data");
        commit("one");
        writeOld("data/a.txt", "A", 30);
        ObjectId two = repo.commit("two", dir, List.of("data/a.txt"), ProgressListener.NONE).id();
        assertEquals("A", content(two, "data/a.txt"));
        // Had the index kept a.txt's new record beside data's old cached tree, the full scan would
        // take that old tree for the workspace and put "a" back.
        assertEquals(Comparison.Kind.UNCHANGED, status().paths().get(0).kind());
        assertFalse(repo.commit("three", ProgressListener.NONE).changed());
        assertEquals("A", content(repo.head().orElseThrow(), "data/a.txt"));
    }

    @Test
    void commit_withPaths_outsideTrackedOrUnknown_isRefused() throws IOException {
        write("data/a.txt", "a");
        write("other.txt", "o");
        add("data");
        commit("one");
        RepoException outside = assertThrows(RepoException.class,
                () -> repo.commit("x", dir, List.of("other.txt"), ProgressListener.NONE));
        assertTrue(outside.getMessage().contains("not inside a tracked path"), outside.getMessage());
        RepoException unknown = assertThrows(RepoException.class,
                () -> repo.commit("x", dir, List.of("data/nothing.txt"), ProgressListener.NONE));
        assertTrue(unknown.getMessage().contains("check the path"), unknown.getMessage());
    }

    @Test
    void gc_versionWithAMissingTree_deletesNothingButTemps_unlessForced() throws IOException {
        write("data/sub/b.txt", "b");
        write("data/old/x.txt", "x");
        add("data");
        ObjectId one = commit("one");
        deleteTree(dir.resolve("data/old"));
        commit("two");
        ObjectId stray = repo.store().insert("stray".getBytes(StandardCharsets.UTF_8));
        TreeSource trees = new TreeSource(repo.store(), null);
        TreeEntry old = trees.lookup(repo.version(one).find("data"), "data/old");
        byte[] oldTree = repo.store().read(old.id());
        repo.store().delete(Set.of(old.id())); // only version one has it

        GarbageCollector.Report r = repo.gc(false, false, false, id -> false);
        assertEquals(List.of(one), r.incomplete().stream().map(VersionLog.Entry::id).toList());
        assertTrue(r.deleted().isEmpty());
        assertTrue(repo.store().contains(stray));

        // A tree the head version shares with version one: the head's walk misses it, and one's
        // walk, which skips what the head holds, must still count one as incomplete.
        repo.store().insert(oldTree);
        assertTrue(repo.gc(false, true, false, id -> false).incomplete().isEmpty());
        TreeEntry sub = trees.lookup(repo.version(one).find("data"), "data/sub");
        repo.store().delete(Set.of(sub.id()));
        GarbageCollector.Report shared = repo.gc(false, false, false, id -> false);
        assertTrue(shared.incomplete().stream().map(VersionLog.Entry::id).toList().contains(one), shared.toString());
        assertTrue(repo.store().contains(stray));
    }

    @Test
    void updateConfig_changesTheConfigOnDisk_notTheOneThisInstanceRead() throws IOException {
        try (Repository other = Repository.open(dir)) {
            repo.updateConfig(c -> c.withRemote(new RemoteSpec("a", "/tmp/a", null, null, false), false));
            other.updateConfig(c -> c.withRemote(new RemoteSpec("b", "/tmp/b", null, null, false), false));
        }
        try (Repository fresh = Repository.open(dir)) {
            assertEquals(List.of("a", "b"), fresh.config().remotes().stream().map(RemoteSpec::name).toList());
        }
    }

    @Test
    void checkout_leavesNoTempBehind_andClearsWhatAKilledOneLeft() throws IOException {
        for (int i = 0; i < 70; i++) { // more folders than the writer keeps temp folders for
            write("data/d" + i + "/a.txt", "a" + i);
        }
        add("data");
        ObjectId v = commit("one");
        Path left = dir.resolve("data/d1/" + WorkspaceWriter.TEMP_DIR);
        Files.createDirectories(left);
        Files.writeString(left.resolve("1"), "left by a killed checkout");
        for (int i = 0; i < 70; i++) {
            Files.delete(dir.resolve("data/d" + i + "/a.txt"));
        }
        repo.checkout(v, true, null, ProgressListener.NONE);
        for (int i = 0; i < 70; i++) {
            assertEquals("a" + i, Files.readString(dir.resolve("data/d" + i + "/a.txt")));
        }
        try (var inData = Files.walk(dir.resolve("data"))) {
            assertEquals(List.of(), inData.filter(p -> p.getFileName().toString().startsWith(AtomicFile.TEMP_PREFIX))
                    .toList());
        }
    }

    @Test
    void gc_deletesUnreferencedObjects_andTempFiles() throws IOException {
        write("data/a.txt", "one");
        add("data");
        commit("one");
        ObjectId stray = repo.store().insert("stray".getBytes(StandardCharsets.UTF_8));
        Path temp = repo.store().newTemp();
        GarbageCollector.Report r = repo.gc(true, false, false, id -> false);
        assertEquals(Set.of(stray), r.deleted());
        assertFalse(Files.exists(temp));
        assertTrue(repo.verify(id -> false).ok());
    }

    @Test
    void verify_findsCorruptObject() throws IOException {
        write("data/a.txt", "alpha");
        add("data");
        commit("one");
        ObjectId blob = verso.store.Hashing.hash("alpha".getBytes(StandardCharsets.UTF_8));
        ObjectStore store = repo.store();
        store.delete(Set.of(blob)); // a loose copy damaged in place of the packed one
        Files.createDirectories(store.pathOf(blob).getParent());
        Files.writeString(store.pathOf(blob), "alpHa");
        RepositoryVerifier.Report r = repo.verify(id -> false);
        assertFalse(r.ok());
        assertTrue(r.problems().get(0).contains(blob.shortHex()), r.problems().toString());
    }

    @Test
    void resolve_acceptsShortIdsTagsAndHead() throws IOException {
        write("data/a.txt", "alpha");
        add("data");
        ObjectId v1 = commit("one");
        repo.versions().tag("release", v1);
        assertEquals(v1, repo.versions().resolve(v1.hex().substring(0, 4)));
        assertEquals(v1, repo.versions().resolve("release"));
        assertEquals(v1, repo.versions().resolve("head"));
        assertThrows(RepoException.class, () -> repo.versions().resolve("abc"));
        assertThrows(RepoException.class, () -> repo.versions().resolve("nosuchtag"));
        assertThrows(RepoException.class, () -> repo.versions().tag("abcd", v1));
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
