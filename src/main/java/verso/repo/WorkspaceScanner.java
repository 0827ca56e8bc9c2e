package verso.repo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import verso.store.BlockIndex;
import verso.store.FileInserter;
import verso.store.FileInserter.FileContent;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * Turns a tracked path of the workspace into a {@link Snapshot}.
 *
 * <p>Design: two phases. The walk lstat()s every entry once (no content read) and asks the
 * {@link WorkspaceIndex} whether each file's metadata still matches what was hashed before; only
 * the misses are read, in parallel on the shared pool: stored through a {@link FileInserter} when
 * storing, hashed by a {@link ContentHasher} otherwise. Then trees are encoded bottom-up. Memory holds
 * the listing, never file content beyond the inserter's bounded blocks. A storing scan also checks
 * that index hits are still in the store (gc may have removed them), so a version never names an
 * object the cache lacks.
 */
final class WorkspaceScanner {
    private final Path root;
    private final ObjectStore store;
    private final WorkspaceIndex index;
    private final ExecutorService pool;
    private final int blockSize;
    private final int threads;

    private sealed interface Node permits FileNode, LinkNode, DirNode {
        String name();
    }

    private record FileNode(String name, String rel, Path path, PosixFileAttributes attrs,
                            CompletableFuture<FileContent>[] content, boolean unchanged) implements Node {
    }

    private record LinkNode(String name, String target) implements Node {
    }

    private record DirNode(String name, String rel, List<Node> children) implements Node {
    }

    WorkspaceScanner(Path root, ObjectStore store, WorkspaceIndex index, ExecutorService pool, int blockSize,
                     int threads) {
        this.root = root;
        this.store = store;
        this.index = index;
        this.pool = pool;
        this.blockSize = blockSize;
        this.threads = threads;
    }

    /** Scans {@code rel}; stores new content when {@code storing}, else only hashes it. */
    Snapshot scan(String rel, boolean storing, ProgressListener progress) throws IOException {
        Path path = root.resolve(rel);
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Snapshot(null, Map.of(), List.of(), List.of());
        }
        List<String> skipped = new ArrayList<>();
        List<String> temps = new ArrayList<>();
        List<FileNode> pending = new ArrayList<>();
        Node top = visit(path, rel, rel, attrs, storing, pending, skipped, temps);
        if (top == null) {
            throw new RepoException(rel + " is neither a file, a directory nor a symlink; verso cannot track it");
        }
        long bytes = pending.stream().mapToLong(f -> f.attrs.size()).sum();
        progress.start(storing ? "Storing" : "Hashing", bytes);
        try {
            hashPending(pending, storing, progress);
            Map<ObjectId, byte[]> trees = new LinkedHashMap<>();
            TreeEntry entry = build(top, trees);
            if (storing) {
                for (Map.Entry<ObjectId, byte[]> t : trees.entrySet()) {
                    store.insert(t.getValue());
                }
            }
            return new Snapshot(entry.withName(rel), trees, skipped, temps);
        } finally {
            progress.done();
        }
    }

    private Node visit(Path path, String name, String rel, PosixFileAttributes attrs, boolean storing,
                       List<FileNode> pending, List<String> skipped, List<String> temps) throws IOException {
        if (attrs.isSymbolicLink()) {
            return new LinkNode(name, Files.readSymbolicLink(path).toString());
        }
        if (attrs.isRegularFile()) {
            @SuppressWarnings("unchecked")
            CompletableFuture<FileContent>[] slot = new CompletableFuture[1];
            FileContent known = index.lookup(rel, attrs);
            boolean unchanged = known != null && (!storing || present(known));
            FileNode f = new FileNode(name, rel, path, attrs, slot, unchanged);
            if (unchanged) {
                slot[0] = CompletableFuture.completedFuture(known);
            } else {
                pending.add(f);
            }
            return f;
        }
        if (attrs.isDirectory()) {
            List<Node> children = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
                for (Path child : ds) {
                    String cn = child.getFileName().toString();
                    if (cn.startsWith(AtomicFile.TEMP_PREFIX)) {
                        temps.add(rel + "/" + cn);
                        continue;
                    }
                    PosixFileAttributes ca = Files.readAttributes(child, PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    Node n = visit(child, cn, rel + "/" + cn, ca, storing, pending, skipped, temps);
                    if (n == null) {
                        skipped.add(rel + "/" + cn);
                    } else {
                        children.add(n);
                    }
                }
            }
            return new DirNode(name, rel, children);
        }
        return null;
    }

    private boolean present(FileContent c) throws IOException {
        if (!store.contains(c.id())) {
            return false;
        }
        if (!c.chunked()) {
            return true;
        }
        for (ObjectId b : BlockIndex.decode(c.id(), store.read(c.id())).blocks()) {
            if (!store.contains(b)) {
                return false;
            }
        }
        return true;
    }

    private void hashPending(List<FileNode> pending, boolean storing, ProgressListener progress) throws IOException {
        FileInserter inserter = storing ? new FileInserter(store, blockSize, pool, threads * 2, progress::advance) : null;
        ContentHasher hasher = new ContentHasher(blockSize);
        try {
            for (FileNode f : pending) {
                long size = f.attrs.size();
                CompletableFuture<FileContent> c;
                if (storing) {
                    c = inserter.insert(f.path, size);
                } else {
                    c = CompletableFuture.supplyAsync(() -> {
                        try {
                            FileContent fc = hasher.hash(f.path, size);
                            progress.advance(size);
                            return fc;
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, pool);
                }
                f.content[0] = c.thenApply(fc -> {
                    index.record(f.rel, f.attrs, fc);
                    return fc;
                });
            }
            for (FileNode f : pending) {
                f.content[0].join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the workspace", e);
        } catch (CompletionException | UncheckedIOException e) {
            IOException io = FileInserter.unwrap(e);
            if (io instanceof NoSuchFileException nsf) {
                throw new RepoException(nsf.getFile() + " disappeared while it was being read; run the command again");
            }
            throw io;
        }
    }

    private TreeEntry build(Node node, Map<ObjectId, byte[]> trees) {
        if (node instanceof FileNode f) {
            FileContent c = f.content[0].join();
            boolean exec = f.attrs.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
            return TreeEntry.file(f.name, c.size(), exec, c.id(), c.chunked());
        }
        if (node instanceof LinkNode l) {
            return TreeEntry.symlink(l.name, l.target);
        }
        DirNode d = (DirNode) node;
        WorkspaceIndex.CachedTree cached = index.tree(d.rel);
        if (cached != null && cached.children() == d.children.size() && allUnchanged(d)
                && store.contains(cached.id())) {
            return TreeEntry.dir(d.name, cached.size(), cached.files(), cached.id());
        }
        List<TreeEntry> entries = new ArrayList<>(d.children.size());
        long size = 0;
        long files = 0;
        for (Node child : d.children) {
            TreeEntry e = build(child, trees);
            entries.add(e);
            size += e.size();
            files += e.files();
        }
        byte[] enc = Tree.of(entries).encode();
        ObjectId id = Hashing.hash(enc);
        trees.put(id, enc);
        index.recordTree(d.rel, new WorkspaceIndex.CachedTree(d.children.size(), id, size, files));
        return TreeEntry.dir(d.name, size, files, id);
    }

    /**
     * True if every child was found unchanged: files matched the index, directories will reuse their
     * cached tree. Symlinks are read on every scan and not cached, so they make a directory rebuild.
     */
    private boolean allUnchanged(DirNode d) {
        for (Node child : d.children) {
            if (child instanceof FileNode f && f.unchanged) {
                continue;
            }
            if (child instanceof DirNode sub) {
                WorkspaceIndex.CachedTree t = index.tree(sub.rel);
                if (t != null && t.children() == sub.children.size() && allUnchanged(sub)) {
                    continue;
                }
            }
            return false;
        }
        return true;
    }
}
