package verso.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import verso.store.BlockIndex;
import verso.store.FileInserter;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * Builds repositories for filesystem tests: a workspace to write files into, and commits that store
 * tracked paths (files, nested directories, symlinks, executable bits, chunked files) in
 * {@code .verso/cache} and write {@code .verso/versions/<id>}, as the real repository does.
 */
public final class TestRepo implements AutoCloseable {
    private final Path root;
    private final Path workspace;
    private final Path meta;
    private final ObjectStore store;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final FileInserter inserter;
    private ObjectId head;

    public TestRepo(Path root) throws IOException {
        this.root = root;
        this.workspace = Files.createDirectories(root.resolve("ws"));
        this.meta = Files.createDirectories(root.resolve(".verso"));
        Files.createDirectories(meta.resolve("versions"));
        Files.createDirectories(meta.resolve("tags"));
        this.store = new ObjectStore(meta.resolve("cache")).create();
        this.inserter = new FileInserter(store, BlockIndex.DEFAULT_BLOCK_SIZE, executor, 8, n -> { });
    }

    public Path root() {
        return root;
    }

    /** The repository directory ({@code .verso}). */
    public Path meta() {
        return meta;
    }

    public ObjectStore store() {
        return store;
    }

    public Path write(String rel, byte[] data) throws IOException {
        Path p = workspace.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, data);
        return p;
    }

    public Path write(String rel, String text) throws IOException {
        return write(rel, text.getBytes(StandardCharsets.UTF_8));
    }

    public Path writeExecutable(String rel, String text) throws IOException {
        Path p = write(rel, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    public Path symlink(String rel, String target) throws IOException {
        Path p = workspace.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.deleteIfExists(p);
        return Files.createSymbolicLink(p, Path.of(target));
    }

    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Stores the tracked paths (relative to the workspace) and writes a version; returns its id. */
    public ObjectId commit(Instant time, String message, String... tracked) throws IOException {
        List<TreeEntry> paths = new ArrayList<>();
        for (String t : tracked) {
            paths.add(store(workspace.resolve(t), t));
        }
        Version v = Version.of(head, time, message, paths);
        byte[] bytes = v.encode();
        ObjectId id = v.id();
        Files.write(meta.resolve("versions").resolve(id.hex()), bytes);
        head = id;
        return id;
    }

    public void tag(String name, ObjectId id) throws IOException {
        Files.writeString(meta.resolve("tags").resolve(name), id.hex() + "\n");
    }

    private TreeEntry store(Path p, String name) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return TreeEntry.symlink(name, Files.readSymbolicLink(p).toString());
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            List<TreeEntry> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    children.add(store(c, c.getFileName().toString()));
                }
            }
            long size = children.stream().mapToLong(e -> e.type() == verso.store.EntryType.SYMLINK ? 0 : e.size()).sum();
            long files = children.stream().mapToLong(TreeEntry::files).sum();
            ObjectId tree = store.insert(Tree.of(children).encode());
            return TreeEntry.dir(name, size, files, tree);
        }
        long size = Files.size(p);
        boolean exec = Files.getPosixFilePermissions(p).contains(PosixFilePermission.OWNER_EXECUTE);
        try {
            FileInserter.FileContent c = inserter.insertAndWait(p, size);
            return TreeEntry.file(name, size, exec, c.id(), c.chunked());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
