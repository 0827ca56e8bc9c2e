package verso.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import verso.cache.DiskCache;
import verso.remote.Remote;
import verso.store.Hashing;

/**
 * {@code --cache-dir} and {@code --disk-cache-size}, shared by {@code mount} and {@code prefetch}: where
 * verified blocks fetched from a remote are kept on disk, and how many bytes of them.
 */
final class DiskCacheOptions {
    private static final Logger LOG = LoggerFactory.getLogger(DiskCacheOptions.class);
    /** A project's disk cache, beside (not in) its object store. */
    static final String PROJECT_DIR = "mount-cache";

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Keep blocks fetched from the remote here, verified, for later reads and later mounts; "
                    + "several mounts and prefetches may share it (default: .verso/mount-cache in a project, "
                    + "else $XDG_CACHE_HOME/verso or ~/.cache/verso).")
    Path dir;

    @Option(names = "--disk-cache-size", paramLabel = "SIZE", converter = ByteSize.class,
            description = "Bound of the disk cache, least recently used blocks evicted first; 0 turns it off "
                    + "(default: 10G or a quarter of the free space, whichever is smaller).")
    Long size;

    /** The cache directory to use: the one given, else {@code projectVersoDir}'s, else the user's. */
    Path dir(Path cwd, Path projectVersoDir) {
        if (dir != null) {
            return cwd.resolve(dir).toAbsolutePath().normalize();
        }
        if (projectVersoDir != null) {
            return projectVersoDir.resolve(PROJECT_DIR);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("verso");
    }

    boolean disabled() {
        return size != null && size == 0;
    }

    /** Where the versions and tags of {@code remote} are kept beside {@code disk} (null without one). */
    static Path mirror(DiskCache disk, Remote remote) {
        return disk == null ? null : disk.root().resolve("remotes")
                .resolve(Hashing.hash(remote.describe().getBytes(StandardCharsets.UTF_8)).shortHex());
    }

    /**
     * Where a reader keeps the remote's pack indexes in mapped files ({@code PackIndex#decode}): the disk
     * cache's temp directory if it can be written, else the JVM's temp directory. The files are removed as
     * soon as they are mapped.
     */
    static Path mappedIndexDir(DiskCache disk) {
        return disk != null && disk.writable() ? disk.root().resolve("tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The arguments that give a background daemon the same choice. */
    List<String> args(Path cwd, Path projectVersoDir) {
        List<String> a = new ArrayList<>();
        if (disabled()) {
            return List.of("--disk-cache-size", "0");
        }
        a.addAll(List.of("--cache-dir", dir(cwd, projectVersoDir).toString()));
        if (size != null) {
            a.addAll(List.of("--disk-cache-size", Long.toString(size)));
        }
        return a;
    }

    /**
     * The disk cache, or null if turned off or if its directory cannot be used (a read-only or full
     * filesystem), which is logged in one line: reads then go on with the memory cache only.
     */
    DiskCache open(Path cwd, Path projectVersoDir) {
        if (disabled()) {
            return null;
        }
        Path d = dir(cwd, projectVersoDir);
        try {
            long bound = size != null ? size : DiskCache.defaultSize(d);
            if (bound <= 0) {
                LOG.warn("no free space for a disk cache at {}: keeping blocks in memory only", d);
                return null;
            }
            return DiskCache.open(d, bound);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot use the disk cache {} ({}): keeping blocks in memory only", d, e.toString());
            return null;
        }
    }
}
