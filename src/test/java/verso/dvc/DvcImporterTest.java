package verso.dvc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.repo.ProgressListener;
import verso.repo.Repository;
import verso.store.BlockIndex;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;
import verso.testing.DvcFixture;

/** The import in process, on DVC projects built by {@link DvcFixture}; files are read back from verso's store. */
final class DvcImporterTest {
    @TempDir
    Path dir;

    private DvcFixture dvc;
    private Repository repo;
    private final List<DvcImporter.Imported> imported = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dvc = DvcFixture.create(dir.resolve("project"));
        repo = Repository.init(dvc.dir);
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    private DvcImporter.Report run(String from, String remote, boolean skipMissing, boolean dryRun) throws Exception {
        imported.clear();
        warnings.clear();
        DvcImporter.Listener l = new DvcImporter.Listener() {
            @Override
            public void imported(DvcImporter.Imported c) {
                imported.add(c);
            }

            @Override
            public void warning(String line) {
                warnings.add(line);
            }
        };
        return new DvcImporter(repo, new DvcImporter.Options(dvc.dir, from, remote, skipMissing, dryRun), l,
                ProgressListener.NONE).run();
    }

    private DvcImporter.Report run() throws Exception {
        return run(null, null, false, false);
    }

    private static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** Every file of a version, path to bytes, read back from the store. */
    private Map<String, byte[]> files(ObjectId version) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        Version v = repo.versions().read(version);
        for (TreeEntry e : v.paths()) {
            collect(e.name(), e, out);
        }
        return out;
    }

    private void collect(String path, TreeEntry e, Map<String, byte[]> out) throws Exception {
        ObjectStore s = repo.store();
        if (e.type() == EntryType.DIR) {
            for (TreeEntry c : Tree.decode(e.id(), s.read(e.id())).entries()) {
                collect(path + "/" + c.name(), c, out);
            }
        } else if (e.chunked()) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (ObjectId block : BlockIndex.decode(e.id(), s.read(e.id())).blocks()) {
                b.write(s.read(block));
            }
            out.put(path, b.toByteArray());
        } else {
            out.put(path, s.read(e.id()));
        }
    }

    /** The tutorial's history: add two archives, resample both, and an unrelated commit of a script. */
    private List<String> tutorial() throws Exception {
        List<String> commits = new ArrayList<>();
        dvc.write("datasets/adrenalmnist3d.npz", bytes(9 << 20, 1));
        dvc.write("datasets/fracturemnist3d.npz", bytes(5 << 20, 2));
        dvc.write("train_shape.py", DvcFixture.text("print(1)\n"));
        dvc.add("datasets");
        commits.add(dvc.commit("initial commit"));
        dvc.write("datasets/adrenalmnist3d.npz", bytes(100_000, 3));
        dvc.write("datasets/fracturemnist3d.npz", bytes(90_000, 4));
        dvc.add("datasets");
        commits.add(dvc.commit("resampled training data"));
        dvc.write("train_shape.py", DvcFixture.text("print(2)\n"));
        commits.add(dvc.commit("a script only"));
        dvc.write("datasets/extra/notes.txt", DvcFixture.text("more\n"));
        dvc.add("datasets");
        commits.add(dvc.commit("notes"));
        return commits;
    }

    @Test
    void run_tutorialHistory_oneVersionPerDataCommit() throws Exception {
        List<String> commits = tutorial();
        DvcImporter.Report r = run();
        assertEquals(new DvcImporter.Report(3, 0, 1, 0), r);
        assertEquals(3, repo.versions().ids().size());
        ObjectId v1 = repo.versions().resolve("git-" + commits.get(0).substring(0, 7));
        ObjectId v2 = repo.versions().resolve("git-" + commits.get(1).substring(0, 7));
        ObjectId v3 = repo.versions().resolve("git-" + commits.get(3).substring(0, 7));
        Version first = repo.versions().read(v1);
        assertNull(first.parent());
        assertEquals(Instant.parse("2024-01-01T01:00:00Z"), first.time());
        assertEquals("initial commit", first.message());
        assertEquals(v1, repo.versions().read(v2).parent());
        assertEquals(v2, repo.versions().read(v3).parent());
        assertEquals(v3, repo.head().orElseThrow());

        Map<String, byte[]> f1 = files(v1);
        assertEquals(List.of("datasets/adrenalmnist3d.npz", "datasets/fracturemnist3d.npz"), List.copyOf(f1.keySet()));
        assertArrayEquals(bytes(9 << 20, 1), f1.get("datasets/adrenalmnist3d.npz"));
        assertArrayEquals(bytes(5 << 20, 2), f1.get("datasets/fracturemnist3d.npz"));
        assertArrayEquals(bytes(100_000, 3), files(v2).get("datasets/adrenalmnist3d.npz"));
        assertArrayEquals(DvcFixture.text("more\n"), files(v3).get("datasets/extra/notes.txt"));
        TreeEntry d = repo.versions().read(v1).find("datasets");
        assertEquals(2, d.files());
        assertEquals((9 << 20) + (5 << 20), d.size());
        // small objects (trees, block indexes, the small files) went into packs: loose are the
        // versions and the blocks of large files
        Set<ObjectId> looseSmall = new HashSet<>();
        ObjectStore.forEachIn(repo.store().root().resolve("objects"), (id, f) -> {
            if (Files.size(f) < ObjectStore.PACKED_BELOW) {
                looseSmall.add(id);
            }
        });
        assertEquals(Set.of(v1, v2, v3), looseSmall);
    }

    @Test
    void run_again_importsNothingThenOnlyNewCommits() throws Exception {
        tutorial();
        run();
        assertEquals(new DvcImporter.Report(0, 3, 1, 0), run());
        assertEquals(3, repo.versions().ids().size());
        ObjectId head = repo.head().orElseThrow();

        dvc.write("model.bin", bytes(10, 9));
        dvc.add("model.bin");
        String c = dvc.commit("model");
        // the objects of earlier commits are not read again: remove them from DVC's cache
        for (Path p : dvc.cachedObjects().values()) {
            if (!p.toString().endsWith(DvcFixture.md5(bytes(10, 9)).substring(2))
                    && !p.toString().endsWith(".dir")) {
                Files.delete(p);
            }
        }
        assertEquals(new DvcImporter.Report(1, 3, 1, 0), run());
        assertEquals(head, repo.versions().read(imported.get(0).version()).parent());
        assertEquals("git-" + c.substring(0, 7), imported.get(0).tag());
        assertEquals(List.of("datasets", "model.bin"),
                imported.get(0).paths().stream().map(TreeEntry::name).toList());
    }

    @Test
    void run_objectWhoseBlockLeftTheStore_isReadAgain() throws Exception {
        String first = tutorial().get(0);
        run();
        String md5 = DvcFixture.md5(bytes(9 << 20, 1));
        // a later commit uses the big archive again, but one of its blocks is gone from verso's store
        dvc.write("copy/again.npz", bytes(9 << 20, 1));
        dvc.add("copy/again.npz");
        dvc.commit("again");
        Version v = repo.versions().read(repo.versions().resolve("git-" + first.substring(0, 7)));
        TreeEntry big = null;
        for (TreeEntry e : Tree.decode(v.find("datasets").id(), repo.store().read(v.find("datasets").id())).entries()) {
            if (e.name().equals("adrenalmnist3d.npz")) {
                big = e;
            }
        }
        ObjectId block = BlockIndex.decode(big.id(), repo.store().read(big.id())).blocks().get(1);
        repo.store().delete(Set.of(block));
        assertEquals(1, run().imported());
        assertTrue(repo.store().contains(block), "the archive " + md5 + " was read again from DVC's cache");
        assertArrayEquals(bytes(9 << 20, 1), files(imported.get(0).version()).get("copy/again.npz"));
    }

    @Test
    void run_interrupted_resumesAfterTheLastRecordedCommit() throws Exception {
        List<String> commits = tutorial();
        Path notes = dvc.cachePath(DvcFixture.md5(DvcFixture.text("more\n")));
        byte[] good = Files.readAllBytes(notes);
        Files.write(notes, DvcFixture.text("damaged\n"));
        DvcException e = assertThrows(DvcException.class, this::run);
        assertEquals("commit " + commits.get(3).substring(0, 7) + ": datasets/extra/notes.txt (in the local cache): "
                + "content does not match its md5 (the DVC object is damaged); restore a good copy into the DVC "
                + "cache, or import with --skip-missing to leave it out", e.getMessage());
        assertEquals(2, repo.versions().ids().size());

        Files.write(notes, good);
        assertEquals(new DvcImporter.Report(1, 2, 1, 0), run());
        assertEquals(repo.versions().resolve("git-" + commits.get(1).substring(0, 7)),
                repo.versions().read(imported.get(0).version()).parent());
    }

    @Test
    void run_skipMissing_recordsTheVersionWithoutTheFileAndSaysSo() throws Exception {
        List<String> commits = tutorial();
        Files.delete(dvc.cachePath(DvcFixture.md5(bytes(90_000, 4))));
        String c2 = commits.get(1).substring(0, 7);
        DvcException e = assertThrows(DvcException.class, this::run);
        assertEquals("commit " + c2 + ": datasets/fracturemnist3d.npz: not in the local DVC cache, and no DVC remote "
                + "is configured; run dvc push from a checkout that has it, or import with --skip-missing to leave "
                + "it out", e.getMessage());

        DvcImporter.Report r = run(null, null, true, false);
        assertEquals(new DvcImporter.Report(2, 1, 1, 2), r, "the first commit was recorded by the failed run");
        String c4 = commits.get(3).substring(0, 7);
        assertEquals(List.of("commit " + c2 + ": datasets/fracturemnist3d.npz: not in the local DVC cache, and no DVC "
                + "remote is configured; the file is left out", "commit " + c4 + ": datasets/fracturemnist3d.npz: "
                + "not in the local DVC cache, and no DVC remote is configured; the file is left out"), warnings);
        Map<String, byte[]> f2 = files(repo.versions().resolve("git-" + c2));
        assertEquals(List.of("datasets/adrenalmnist3d.npz"), List.copyOf(f2.keySet()));
    }

    @Test
    void run_objectsOnlyOnADirectoryRemote_dvc2Layout() throws Exception {
        dvc.layout(DvcFixture.Layout.DVC2);
        Path remote = dir.resolve("remote");
        dvc.remote("store", "../../remote", null, true);
        byte[] csv = DvcFixture.text("a,b\r\n1,2\r\n");
        dvc.write("data/table.csv", csv);
        dvc.write("data/blob.bin", bytes(5000, 1));
        dvc.add("data");
        // DVC 2 hashed text files with CRLF turned into LF: rewrite the manifest as DVC 2 did
        String unix = DvcFixture.md5(DvcFixture.text("a,b\n1,2\n"));
        Path cached = dvc.cachePath(DvcFixture.md5(csv));
        Path legacy = dvc.cachePath(unix);
        Files.createDirectories(legacy.getParent());
        Files.move(cached, legacy);
        String dirMd5 = dvc.cache(DvcFixture.manifest(Map.of("table.csv", unix, "blob.bin",
                DvcFixture.md5(bytes(5000, 1)))), ".dir");
        Files.writeString(dvc.dir.resolve("data.dvc"), "outs:\n- md5: " + dirMd5 + ".dir\n  size: 5010\n  nfiles: 2\n"
                + "  path: data\n");
        String c = dvc.commit("data");
        dvc.pushTo(remote);
        deleteTree(dvc.cacheDir());

        assertEquals(1, run().imported());
        Map<String, byte[]> f = files(repo.versions().resolve("git-" + c.substring(0, 7)));
        assertArrayEquals(csv, f.get("data/table.csv"), "the bytes as they were, CRLF and all");
        assertArrayEquals(bytes(5000, 1), f.get("data/blob.bin"));
        try (var s = Files.list(repo.store().root().resolve("tmp"))) {
            assertEquals(0, s.count(), "downloaded copies are removed");
        } catch (java.nio.file.NoSuchFileException ok) {
            // no temp folder at all
        }
    }

    @Test
    void run_lockOutputsAndDotDvcFiles_together() throws Exception {
        dvc.write("data/raw.xml", DvcFixture.text("<xml/>"));
        dvc.add("data/raw.xml");
        dvc.write("out/prepared/a.csv", DvcFixture.text("1\n"));
        dvc.write("out/model.pkl", bytes(300, 5));
        dvc.lock("prepare", "out/prepared", "out/model.pkl");
        String c = dvc.commit("pipeline");
        run();
        Map<String, byte[]> f = files(repo.versions().resolve("git-" + c.substring(0, 7)));
        assertEquals(List.of("data/raw.xml", "out/model.pkl", "out/prepared/a.csv"), List.copyOf(f.keySet()));
    }

    @Test
    void run_hostileManifest_refusedWithCommitAndPath() throws Exception {
        String fileMd5 = dvc.cache(DvcFixture.text("x"), "");
        String dirMd5 = dvc.cache(DvcFixture.manifest(Map.of("../escape", fileMd5)), ".dir");
        Files.writeString(dvc.dir.resolve("d.dvc"), "outs:\n- md5: " + dirMd5 + ".dir\n  hash: md5\n  path: d\n");
        String c = dvc.commit("hostile");
        DvcException e = assertThrows(DvcException.class, this::run);
        assertEquals("commit " + c.substring(0, 7) + ": d: directory manifest names relpath '../escape', which is "
                + "absolute or leaves the directory; refused", e.getMessage());
        assertTrue(repo.versions().ids().isEmpty());
    }

    @Test
    void run_dryRun_listsAndWritesNothing() throws Exception {
        tutorial();
        assertEquals(3, run(null, null, false, true).imported());
        assertEquals(3, imported.size());
        assertNull(imported.get(0).version());
        assertTrue(repo.versions().ids().isEmpty());
        assertFalse(Files.exists(repo.versoDir().resolve(ImportState.FILE)));
    }

    @Test
    void run_from_startsThere() throws Exception {
        List<String> commits = tutorial();
        assertEquals(2, run(commits.get(1).substring(0, 9), null, false, false).imported());
        assertNull(repo.versions().read(imported.get(0).version()).parent());
        DvcException e = assertThrows(DvcException.class, () -> run("nosuchrev", null, false, false));
        assertTrue(e.getMessage().startsWith("--from nosuchrev is not a commit"), e.getMessage());
    }

    @Test
    void run_sameOutputInTwoFiles_refused() throws Exception {
        dvc.write("a.bin", bytes(3, 1));
        dvc.add("a.bin");
        dvc.lock("s", "a.bin");
        String c = dvc.commit("twice");
        DvcException e = assertThrows(DvcException.class, this::run);
        assertTrue(e.getMessage().startsWith("commit " + c.substring(0, 7) + ": a.bin is an output of both "),
                e.getMessage());
    }

    @Test
    void run_dvcProjectInASubfolderOfTheGitRepository() throws Exception {
        DvcFixture.create(dir.resolve("mono"));
        DvcFixture sub = DvcFixture.createSubdir(dir.resolve("mono/ml"));
        Files.writeString(dir.resolve("mono/README"), "code\n");
        sub.write("data/x.bin", bytes(10, 1));
        sub.add("data");
        String c = sub.commit("ml data");
        try (Repository r = Repository.init(sub.dir)) {
            DvcImporter.Report report = new DvcImporter(r, new DvcImporter.Options(sub.dir, null, null, false, false),
                    new DvcImporter.Listener() {
                        @Override
                        public void imported(DvcImporter.Imported i) {
                        }

                        @Override
                        public void warning(String line) {
                        }
                    }, ProgressListener.NONE).run();
            assertEquals(1, report.imported());
            Version v = r.versions().read(r.versions().resolve("git-" + c.substring(0, 7)));
            assertEquals(List.of("data"), v.paths().stream().map(TreeEntry::name).toList());
        }
    }

    @Test
    void run_gitRepositoryWithoutCommits_oneLine() throws Exception {
        DvcException e = assertThrows(DvcException.class, this::run);
        assertTrue(e.getMessage().endsWith("is not in a git repository with commits; give the DVC project's folder"),
                e.getMessage());
    }

    @Test
    void new_notADvcProject_oneLine() {
        DvcException e = assertThrows(DvcException.class, () -> new DvcImporter(repo,
                new DvcImporter.Options(dir, null, null, false, false), null, ProgressListener.NONE));
        assertTrue(e.getMessage().endsWith("is not a DVC project (it has no .dvc folder); give the folder where dvc "
                + "init was run"), e.getMessage());
    }

    private static void deleteTree(Path p) throws Exception {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
