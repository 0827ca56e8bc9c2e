package verso.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.cache.BlockCache;
import verso.cache.DiskCache;
import verso.fs.Catalog;
import verso.fs.CatalogSnapshot;
import verso.fs.CatalogVersion;
import verso.fs.CompositeCatalog;
import verso.fs.DirCatalog;
import verso.fs.RemoteCatalog;
import verso.read.ObjectReader;
import verso.read.Prefetcher;
import verso.remote.Remote;
import verso.remote.RemoteSpec;
import verso.remote.Remotes;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.Repository;
import verso.store.BlockIndex;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.PackLocator;
import verso.store.TreeEntry;

/**
 * {@code verso prefetch}: fills the disk cache a mount reads from (the same {@code --cache-dir}, the
 * same defaults) with the data of a version or of some of its paths, before a job reads them.
 */
@Command(name = "prefetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fill the mount's disk cache with the data of VERSION, or of PATHs in it.",
                "VERSION is an id, a tag or latest (the default). Objects are fetched in",
                "parallel and verified; what the project's cache or the disk cache holds already",
                "is skipped. A training job can run this before its first epoch: the mount then",
                "reads from disk.",
                "Exits non-zero naming every path that could not be fetched."},
        footer = {"", "Examples:", "  verso prefetch", "  verso prefetch latest datasets/train.npz",
                "  verso prefetch --remote-url s3://bucket/datasets v2 images/"})
final class PrefetchCommand implements Callable<Integer> {
    static final int DEFAULT_THREADS = 16;
    /** Memory for blocks in flight; the disk cache, not memory, keeps them. */
    private static final long MEMORY = 256L << 20;
    private static final int MAX_LISTED_FAILURES = 20;

    @ParentCommand
    Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "VERSION",
            description = "The version: an id, a tag or latest (default: latest).")
    String version;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "PATH",
            description = "Paths inside the version, e.g. datasets/train.npz (default: all of it).")
    List<String> paths = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    MountCommand.Source source = new MountCommand.Source();

    @Mixin
    DiskCacheOptions diskCache = new DiskCacheOptions();

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "" + DEFAULT_THREADS,
            description = "Objects fetched at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Override
    public Integer call() throws Exception {
        if (jobs < 1) {
            throw new RepoException("--jobs must be at least 1");
        }
        if (diskCache.disabled()) {
            throw new RepoException("--disk-cache-size 0 leaves nothing to prefetch into");
        }
        Path cwd = main.cwd();
        Remote remote;
        ObjectStore local = null;
        Path versoDir = null;
        List<Catalog> catalogs = new ArrayList<>();
        PackLocator packs = new PackLocator();
        if (source.remoteUrl != null) {
            remote = Remotes.open(RemoteSpec.of(source.remoteUrl).validate(), cwd);
        } else {
            try (Repository repo = main.openRepository()) {
                local = repo.store();
                versoDir = repo.versoDir();
                remote = RemoteWiring.open(repo, source.remote);
            }
        }
        try (Remote r = remote) {
            Path dir = diskCache.dir(cwd, versoDir);
            DiskCache disk = diskCache.open(cwd, versoDir);
            if (disk == null) {
                throw new RepoException("cannot use the disk cache " + dir + "; see the line above");
            }
            Catalog.Preparer packsOfRemote = MountCommand.packsOf(r, packs, DiskCacheOptions.mappedIndexDir(disk));
            if (versoDir != null) {
                catalogs.add(new DirCatalog(versoDir, packsOfRemote));
            }
            catalogs.add(new RemoteCatalog(r, packsOfRemote, DiskCacheOptions.mirror(disk, r)));
            try (Catalog catalog = catalogs.size() == 1 ? catalogs.get(0) : new CompositeCatalog(catalogs)) {
                catalog.refresh();
                CatalogVersion v = resolve(catalog.snapshot());
                ObjectReader objects = new ObjectReader(local, r, packs, disk,
                        new BlockCache(BlockIndex.DEFAULT_BLOCK_SIZE * 4L), MEMORY);
                return prefetch(new Prefetcher(objects, jobs), v, disk);
            }
        }
    }

    private int prefetch(Prefetcher prefetcher, CatalogVersion v, DiskCache disk) throws Exception {
        List<String> names = new ArrayList<>();
        List<TreeEntry> entries = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (paths.isEmpty()) {
            for (TreeEntry e : v.version().paths()) {
                names.add(e.name());
                entries.add(e);
            }
        } else {
            for (String p : paths) {
                TreeEntry e = prefetcher.find(v.version(), p);
                if (e == null) {
                    missing.add(p);
                } else {
                    names.add(p);
                    entries.add(e);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new RepoException("not in version " + v.id().shortHex() + ": " + String.join(", ", missing));
        }
        Prefetcher.Plan plan = prefetcher.plan(names, entries);
        if (plan.bytes() > disk.maxBytes()) {
            System.err.println("warning: " + Format.bytes(plan.bytes()) + " to prefetch, more than the disk cache's "
                    + Format.bytes(disk.maxBytes()) + ": the first fetched will be evicted; raise --disk-cache-size");
        }
        ProgressListener progress = TerminalProgress.forConsole();
        progress.start("prefetch", plan.bytes());
        Prefetcher.Result result;
        try {
            result = prefetcher.run(plan, progress::advance);
        } finally {
            progress.done();
        }
        System.out.println("prefetched " + PushCommand.plural(result.objects(), "object") + " of version "
                + v.id().shortHex() + " into " + disk.root() + ": " + Format.bytes(result.fetchedBytes())
                + " fetched, " + Format.bytes(result.presentBytes()) + " already on disk"
                + (result.failures().isEmpty() ? "" : ", " + result.failures().size() + " failed"));
        if (result.failures().isEmpty()) {
            return 0;
        }
        List<Prefetcher.Failure> f = result.failures();
        for (Prefetcher.Failure x : f.subList(0, Math.min(f.size(), MAX_LISTED_FAILURES))) {
            System.err.println("  " + x.path() + ": " + x.reason());
        }
        if (f.size() > MAX_LISTED_FAILURES) {
            System.err.println("  and " + (f.size() - MAX_LISTED_FAILURES) + " more");
        }
        throw new RepoException("could not prefetch " + PushCommand.plural(f.size(), "object") + ", first "
                + f.get(0).path() + ": " + f.get(0).reason());
    }

    private CatalogVersion resolve(CatalogSnapshot s) throws RepoException {
        String name = version == null ? "latest" : version;
        if (s.isEmpty()) {
            throw new RepoException("no versions to prefetch");
        }
        if (name.equals("latest")) {
            return s.latest();
        }
        ObjectId tagged = s.tags().get(name);
        if (tagged != null) {
            return s.version(tagged);
        }
        List<CatalogVersion> found = s.findByPrefix(name.toLowerCase(java.util.Locale.ROOT));
        if (found.size() == 1) {
            return found.get(0);
        }
        throw new RepoException(found.isEmpty()
                ? "no version or tag '" + name + "'; to prefetch paths of the newest version: verso prefetch latest "
                + name
                : "'" + name + "' names " + found.size() + " versions; give more of the id");
    }
}
