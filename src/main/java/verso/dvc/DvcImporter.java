package verso.dvc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import verso.remote.Remote;
import verso.remote.RemoteSpec;
import verso.remote.Remotes;
import verso.repo.ProgressListener;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.repo.VersionLog;
import verso.store.BlockIndex;
import verso.store.DaemonThreads;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * {@code verso import dvc}: one verso version per git commit that changed what DVC tracks.
 *
 * <p>Design: the first-parent history of HEAD is walked oldest first. At each commit the {@code .dvc}
 * files and {@code dvc.lock} files of its tree are parsed (each blob once) into the outputs DVC tracks
 * then; a commit whose outputs (path, md5, executable bit) equal its predecessor's records nothing.
 * Otherwise the DVC objects that no earlier import stored are read once each, in parallel on the
 * repository's workers, from the local DVC cache or else the DVC remote, checked against their md5 and
 * cut into verso's blocks ({@link VerifyingInserter}: a large object's md5 on the worker that reads it,
 * its blocks' SHA-256 on threads of the import's own, so one file uses two cores); directory outputs
 * become trees built from their manifests. Then, in the order every verso write follows, trees, the
 * version (the commit point), its tag {@code git-<short id>}, the import state (which commits and
 * objects are done), and {@code head} if the import owns it. An interrupted run leaves at most unreferenced objects, and the next run
 * starts after the last recorded commit; a version is a pure function of its commit and parent, so a
 * commit recorded but not yet in the state is recorded again as the very same version.
 */
public final class DvcImporter {
    /** What to import: the DVC project's folder, the first commit, the remote (name or URL), and what to do. */
    public record Options(Path project, String from, String remote, boolean skipMissing, boolean dryRun) {
    }

    /** One commit imported (or, in a dry run, to be imported): {@code version} and {@code tag} null in a dry run. */
    public record Imported(String commit, Instant time, String subject, List<TreeEntry> paths, ObjectId version,
                           String tag) {
        public String shortCommit() {
            return commit.substring(0, 7);
        }
    }

    /** Told of each commit as it is recorded and of each file left out. */
    public interface Listener {
        void imported(Imported commit);

        void warning(String line);
    }

    /** Counts of a run: commits recorded, commits an earlier run recorded, commits that changed no DVC output. */
    public record Report(int imported, int alreadyImported, int unchanged, int skippedFiles) {
    }

    private final Repository repo;
    private final Options options;
    private final Listener listener;
    private final ProgressListener progress;
    private final GitHistory git;
    private final DvcConfig config;
    private final ObjectStore store;
    /** SHA-256 and storing of large objects' blocks, beside the workers that read them and compute their md5. */
    private final ExecutorService hashers;
    private final VerifyingInserter inserter;
    private final Map<String, List<DvcOut>> parsed = new HashMap<>();
    private final Map<String, DirManifest> manifests = new HashMap<>();
    private DvcObjects objects;
    private Remote remote;
    private int skippedFiles;

    public DvcImporter(Repository repo, Options options, Listener listener, ProgressListener progress)
            throws IOException {
        this.repo = repo;
        this.options = options;
        this.listener = listener;
        this.progress = progress;
        Path project = options.project().toAbsolutePath().normalize();
        if (!Files.isDirectory(project.resolve(".dvc"))) {
            throw new DvcException(project + " is not a DVC project (it has no .dvc folder); give the folder "
                    + "where dvc init was run");
        }
        this.git = new GitHistory(project);
        this.config = DvcConfig.read(project);
        this.store = repo.store();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.hashers = Executors.newFixedThreadPool(threads, DaemonThreads.numbered("verso-dvc-hasher"));
        // Blocks handed to the hashers are mapped regions of the DVC object, not buffers: 2 per hasher.
        this.inserter = new VerifyingInserter(store, repo.blockSize(), hashers, 2 * threads);
    }

    /** Runs the import (or the dry run), holding the repository lock throughout. */
    public Report run() throws IOException {
        try (RepoLock.Held h = options.dryRun() ? repo.lock().shared() : repo.lock().exclusive()) {
            this.objects = new DvcObjects(config.cacheDir(), this::openRemote, store);
            return walk();
        } finally {
            hashers.shutdown();
            if (remote != null) {
                remote.close();
            }
        }
    }

    private Report walk() throws IOException {
        VersionLog log = repo.versions();
        ImportState state = ImportState.load(repo.versoDir());
        List<GitHistory.Commit> commits = git.commits(options.from());
        Optional<ObjectId> headBefore = log.head();
        ObjectId parent = null;
        List<String> previous = null;
        int imported = 0;
        int already = 0;
        int unchanged = 0;
        boolean ownsHead = headBefore.isEmpty();
        for (int i = 0; i < commits.size(); i++) {
            GitHistory.Commit c = commits.get(i);
            List<DvcOut> outs = outs(c);
            List<String> key = outs.stream().map(o -> o.path() + " " + o.objectName() + " " + o.executable()).toList();
            ObjectId done = state.version(c.id());
            if (done != null && log.contains(done)) {
                parent = done;
                previous = key;
                already++;
                ownsHead = headBefore.isEmpty() || headBefore.get().equals(done);
                continue;
            }
            if (key.equals(previous) || previous == null && outs.isEmpty()) {
                unchanged++;
                continue;
            }
            previous = key;
            String where = "commit " + c.shortId();
            if (options.dryRun()) {
                listener.imported(new Imported(c.id(), c.time(), c.subject(), plannedEntries(outs), null, null));
                imported++;
                continue;
            }
            progress.start("git " + c.shortId() + " (" + (i + 1) + "/" + commits.size() + ")", estimate(outs, state));
            List<TreeEntry> entries;
            try (ObjectStore.Packing packing = store.packing()) {
                entries = entries(outs, where, state);
            } finally {
                progress.done();
            }
            Version v;
            try {
                v = Version.of(parent, c.time(), c.message().isEmpty() ? "git " + c.shortId() : c.message(), entries);
            } catch (IllegalArgumentException e) {
                throw new DvcException(where + ": the outputs DVC tracks overlap (" + e.getMessage()
                        + "); fix the .dvc files in that commit or import with --from a later one");
            }
            ObjectId id = log.write(v);
            String tag = tagFor(c.id(), id, log);
            log.tag(tag, id);
            state.putVersion(c.id(), id);
            state.save();
            if (ownsHead) {
                log.setHead(id);
            }
            parent = id;
            imported++;
            listener.imported(new Imported(c.id(), c.time(), c.subject(), v.paths(), id, tag));
        }
        return new Report(imported, already, unchanged, skippedFiles);
    }

    /** {@code git-} and the shortest prefix of the commit (7 digits at least) not already tagging another version. */
    private static String tagFor(String commit, ObjectId version, VersionLog log) throws IOException {
        TreeMap<String, ObjectId> tags = log.tags();
        for (int n = 7; n < commit.length(); n++) {
            String t = "git-" + commit.substring(0, n);
            ObjectId existing = tags.get(t);
            if (existing == null || existing.equals(version)) {
                return t;
            }
        }
        return "git-" + commit;
    }

    /** The outputs DVC tracks at {@code c}, sorted by path; two outputs of one path are refused. */
    private List<DvcOut> outs(GitHistory.Commit c) throws IOException {
        String where = "commit " + c.shortId();
        TreeMap<String, DvcOut> byPath = new TreeMap<>(Names::compare);
        for (GitHistory.FileRef f : git.files(c.id())) {
            if (!DvcFiles.declaresOuts(f.path())) {
                continue;
            }
            List<DvcOut> outs = parsed.get(f.path() + "\0" + f.blob());
            if (outs == null) {
                outs = DvcFiles.parse(f.path(), git.blob(f.blob()), where);
                parsed.put(f.path() + "\0" + f.blob(), outs);
            }
            for (DvcOut o : outs) {
                DvcOut other = byPath.put(o.path(), o);
                if (other != null) {
                    throw new DvcException(where + ": " + o.path() + " is an output of both " + other.source()
                            + " and " + o.source() + "; remove one of them in that commit or import with --from a "
                            + "later one");
                }
            }
        }
        return new ArrayList<>(byPath.values());
    }

    private static List<TreeEntry> plannedEntries(List<DvcOut> outs) {
        List<TreeEntry> out = new ArrayList<>();
        ObjectId none = ObjectId.fromBytes(new byte[ObjectId.LENGTH]);
        for (DvcOut o : outs) {
            long size = Math.max(0, o.size());
            out.add(o.dir() ? TreeEntry.dir(o.path(), size, Math.max(0, o.nfiles()), none)
                    : TreeEntry.file(o.path(), size, false, none, false));
        }
        return out;
    }

    private long estimate(List<DvcOut> outs, ImportState state) {
        long total = 0;
        for (DvcOut o : outs) {
            if (o.size() > 0 && (o.dir() || known(state, o.md5()) == null)) {
                total += o.size();
            }
        }
        return total;
    }

    /** What an earlier import stored for DVC object {@code md5}, if it is still in the store (all its blocks too). */
    private FileContent known(ImportState state, String md5) {
        FileContent fc = state.object(md5);
        if (fc == null || !store.contains(fc.id())) {
            return null;
        }
        if (fc.chunked()) {
            try {
                for (ObjectId block : BlockIndex.decode(fc.id(), store.read(fc.id())).blocks()) {
                    if (!store.contains(block)) {
                        return null;
                    }
                }
            } catch (IOException e) {
                return null; // read again from DVC
            }
        }
        return fc;
    }

    /** One file to store: where it goes (for messages), its md5, and DVC's hash kind. */
    private record Wanted(String path, String md5, boolean legacy) {
    }

    /** The version's entries for {@code outs}: every object not yet stored is read, checked and stored. */
    private List<TreeEntry> entries(List<DvcOut> outs, String where, ImportState state) throws IOException {
        Map<DvcOut, DirManifest> dirs = new LinkedHashMap<>();
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        List<DvcOut> present = new ArrayList<>();
        for (DvcOut o : outs) {
            if (o.dir()) {
                DirManifest m = manifest(o, where);
                if (m == null) {
                    continue;
                }
                dirs.put(o, m);
                for (DirManifest.Entry e : m.entries()) {
                    wanted.putIfAbsent(e.md5(), new Wanted(o.path() + "/" + e.relpath(), e.md5(), o.legacy()));
                }
            } else {
                wanted.putIfAbsent(o.md5(), new Wanted(o.path(), o.md5(), o.legacy()));
            }
            present.add(o);
        }
        Map<String, FileContent> contents = store(wanted, where, state);
        List<TreeEntry> entries = new ArrayList<>();
        for (DvcOut o : present) {
            if (!o.dir()) {
                FileContent fc = contents.get(o.md5());
                if (fc != null) {
                    entries.add(TreeEntry.file(o.path(), fc.size(), o.executable(), fc.id(), fc.chunked()));
                }
                continue;
            }
            DirBuilder b = new DirBuilder();
            for (DirManifest.Entry e : dirs.get(o).entries()) {
                FileContent fc = contents.get(e.md5());
                if (fc != null) {
                    b.add(e.relpath(), TreeEntry.file(leaf(e.relpath()), fc.size(), e.executable(), fc.id(),
                            fc.chunked()));
                }
            }
            entries.add(b.write(store).withName(o.path()));
        }
        return entries;
    }

    private static String leaf(String relpath) {
        return relpath.substring(relpath.lastIndexOf('/') + 1);
    }

    /** The manifest of directory output {@code o}, checked against its md5; null if skipped as missing. */
    private DirManifest manifest(DvcOut o, String where) throws IOException {
        DirManifest m = manifests.get(o.md5());
        if (m != null) {
            return m;
        }
        String at = where + ": " + o.path();
        DvcObjects.Located loc = objects.locate(o.objectName(), o.legacy());
        if (loc == null) {
            return missing(at + " (manifest " + o.objectName() + ")", "the folder is left out");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(loc.file());
        } finally {
            loc.release();
        }
        if (!Md5.of(bytes).equals(o.md5())) {
            return corrupt(at + " (manifest " + o.objectName() + " in " + loc.from() + ")", "the folder is left out");
        }
        m = DirManifest.parse(bytes, at);
        manifests.put(o.md5(), m);
        return m;
    }

    /** Stores every wanted object not yet in verso; returns md5 to content for all that are (skipped ones absent). */
    private Map<String, FileContent> store(Map<String, Wanted> wanted, String where, ImportState state)
            throws IOException {
        Map<String, FileContent> out = new HashMap<>();
        Map<Wanted, CompletableFuture<FileContent>> pending = new LinkedHashMap<>();
        ExecutorService pool = repo.pool();
        for (Wanted w : wanted.values()) {
            FileContent fc = known(state, w.md5());
            if (fc != null) {
                out.put(w.md5(), fc);
            } else {
                pending.put(w, CompletableFuture.supplyAsync(() -> {
                    try {
                        return storeOne(w, where);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, pool));
            }
        }
        IOException first = null;
        for (Map.Entry<Wanted, CompletableFuture<FileContent>> e : pending.entrySet()) {
            try {
                FileContent fc = e.getValue().join();
                if (fc != null) {
                    out.put(e.getKey().md5(), fc);
                    state.putObject(e.getKey().md5(), fc);
                }
            } catch (CompletionException ex) {
                if (first == null) {
                    first = FileInserter.unwrap(ex);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    /** Reads one object, checks it and stores it; null if it is missing or corrupt and --skip-missing was given. */
    private FileContent storeOne(Wanted w, String where) throws IOException {
        String at = where + ": " + w.path();
        DvcObjects.Located loc = objects.locate(w.md5(), w.legacy());
        if (loc == null) {
            return missing(at, "the file is left out");
        }
        try {
            return inserter.insert(loc.file(), w.md5(), w.legacy(), progress::advance);
        } catch (VerifyingInserter.Mismatch e) {
            return corrupt(at + " (in " + loc.from() + ")", "the file is left out");
        } finally {
            loc.release();
        }
    }

    private <T> T missing(String at, String leftOut) throws IOException {
        String where = objects.hasRemote() ? "neither in the local DVC cache nor on the DVC remote"
                : "in the local DVC cache, and no DVC remote is configured";
        if (options.skipMissing()) {
            warn(at + ": not " + where + "; " + leftOut);
            return null;
        }
        throw new DvcException(at + ": not " + where + "; run dvc push from a checkout that has it, or import "
                + "with --skip-missing to leave it out");
    }

    private <T> T corrupt(String at, String leftOut) throws DvcException {
        if (options.skipMissing()) {
            warn(at + ": content does not match its md5; " + leftOut);
            return null;
        }
        throw new DvcException(at + ": content does not match its md5 (the DVC object is damaged); restore a good "
                + "copy into the DVC cache, or import with --skip-missing to leave it out");
    }

    private synchronized void warn(String line) {
        skippedFiles++;
        listener.warning(line);
    }

    /** Opens the DVC remote on first need: the one given, else DVC's default; null if there is none. */
    private synchronized Remote openRemote() throws IOException {
        if (remote != null) {
            return remote;
        }
        RemoteSpec spec = remoteSpec();
        if (spec == null) {
            return null;
        }
        remote = Remotes.open(spec.validate(), options.project().toAbsolutePath());
        return remote;
    }

    private RemoteSpec remoteSpec() throws DvcException {
        String r = options.remote();
        if (r == null) {
            Optional<String> name = config.defaultRemote();
            if (name.isEmpty()) {
                return null;
            }
            return config.remote(name.get()).orElseThrow(() -> new DvcException(".dvc/config names remote '"
                    + name.get() + "' as the default but does not define it; give --remote URL"));
        }
        Optional<RemoteSpec> named = config.remote(r);
        if (named.isPresent()) {
            return named.get();
        }
        if (r.contains("://") || r.contains("/")) {
            return DvcConfig.specOfUrl(r);
        }
        throw new DvcException("no DVC remote named '" + r + "' in .dvc/config; give a name it defines or a URL");
    }

    /** A directory output's tree, built from manifest paths and written leaves first. */
    private static final class DirBuilder {
        private final TreeMap<String, DirBuilder> dirs = new TreeMap<>();
        private final List<TreeEntry> files = new ArrayList<>();

        void add(String relpath, TreeEntry file) {
            DirBuilder d = this;
            String[] segs = relpath.split("/");
            for (int i = 0; i < segs.length - 1; i++) {
                d = d.dirs.computeIfAbsent(segs[i], k -> new DirBuilder());
            }
            d.files.add(file);
        }

        /** Writes this folder's trees; returns its entry (named "." until renamed by the caller). */
        TreeEntry write(ObjectStore store) throws IOException {
            List<TreeEntry> entries = new ArrayList<>(files);
            long size = files.stream().mapToLong(TreeEntry::size).sum();
            long count = files.size();
            for (Map.Entry<String, DirBuilder> d : dirs.entrySet()) {
                TreeEntry sub = d.getValue().write(store).withName(d.getKey());
                entries.add(sub);
                size += sub.size();
                count += sub.files();
            }
            ObjectId id = store.insert(Tree.of(entries).encode());
            return TreeEntry.dir("dir", size, count, id);
        }
    }
}
