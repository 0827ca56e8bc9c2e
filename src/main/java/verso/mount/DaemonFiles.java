package verso.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import verso.repo.Repository;
import verso.store.Hashing;

/**
 * The pid file and log of the daemon serving one mount point. They live in {@code .verso/mounts/}
 * of the repository the mount was made from, or, for a mount of a remote alone, in a per-user
 * state directory ({@code $XDG_STATE_HOME/verso/mounts}, by default {@code ~/.local/state/verso/mounts}).
 * Both are named after the mount point: its last segment, readable, and a hash of its whole path,
 * so two mount points with the same last name never share files.
 */
public record DaemonFiles(Path pidFile, Path log, Path mountPoint) {

    /** The files for {@code mountPoint} (a canonical path) in the state directory {@code dir}. */
    public static DaemonFiles in(Path dir, Path mountPoint) {
        String name = name(mountPoint);
        return new DaemonFiles(dir.resolve(name + ".pid"), dir.resolve(name + ".log"), mountPoint);
    }

    /** The state directory of mounts made from the repository at {@code root}. */
    public static Path repositoryDir(Path root) {
        return root.resolve(Repository.DIR).resolve("mounts");
    }

    /** The state directory of mounts made without a repository. */
    public static Path userDir() {
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("verso").resolve("mounts");
    }

    /** Where a daemon for this mount point may have left its files: the repository at {@code cwd}, if any, then the user's. */
    public static List<DaemonFiles> candidates(Path cwd, Path mountPoint) {
        List<DaemonFiles> c = new ArrayList<>();
        Repository.findRoot(cwd).ifPresent(root -> c.add(in(repositoryDir(root), mountPoint)));
        c.add(in(userDir(), mountPoint));
        return c;
    }

    /**
     * The absolute path of a mount point with symlinks resolved, as the mount table shows it. A dead
     * FUSE mount cannot be resolved itself (every stat of it fails), so only its parent is.
     */
    public static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            Path parent = abs.getParent();
            if (parent == null) {
                return abs;
            }
            try {
                return parent.toRealPath().resolve(abs.getFileName());
            } catch (IOException e2) {
                return abs;
            }
        }
    }

    public static String name(Path mountPoint) {
        Path last = mountPoint.getFileName();
        String readable = last == null ? "root" : last.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (readable.length() > 40) {
            readable = readable.substring(0, 40);
        }
        String hash = Hashing.hash(mountPoint.toString().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 8);
        return readable + "-" + hash;
    }

    public void writePid(long pid) throws IOException {
        Files.createDirectories(pidFile.getParent());
        Files.writeString(pidFile, pid + "\n");
    }

    /** Deletes the pid file if it still names {@code pid} (a newer daemon may have replaced it). */
    public void deletePidFile(long pid) {
        try {
            if (readPid().orElse(-1L) == pid) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException e) {
            // a pid file left behind names a dead process and is ignored
        }
    }

    public void deletePidFile() throws IOException {
        Files.deleteIfExists(pidFile);
    }

    Optional<Long> readPid() throws IOException {
        try {
            String s = Files.readString(pidFile).trim();
            return s.matches("\\d{1,18}") ? Optional.of(Long.parseLong(s)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The live daemon the pid file names. A process whose command line does not name the mount
     * point is not it (the pid was reused after the daemon died).
     */
    public Optional<ProcessHandle> daemon() throws IOException {
        Optional<ProcessHandle> h = readPid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        return h.filter(p -> p.info().arguments()
                .map(args -> List.of(args).contains(mountPoint.toString()))
                .orElse(true));
    }
}
