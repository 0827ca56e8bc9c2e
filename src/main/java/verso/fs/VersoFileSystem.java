package verso.fs;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.read.ContentSource;
import verso.store.EntryType;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * The mount's filesystem, without FUSE: resolves paths of the layout
 *
 * <pre>
 *   latest -> versions/&lt;id&gt;            the newest version
 *   versions/&lt;id&gt;/&lt;tracked path&gt;/...   every version (full ids listed; a unique prefix of at
 *                                     least 4 hex digits resolves to a link to the full id)
 *   tags/&lt;name&gt; -> ../versions/&lt;id&gt;
 *   dates/&lt;YYYY-MM-DDTHH:MM:SSZ&gt; -> ../versions/&lt;id&gt;
 * </pre>
 *
 * and answers getattr, readdir, readlink, open, read, release and statfs; every write is EROFS.
 *
 * <p>Design: operations are stateless except for open files. Each call resolves its path from the
 * current catalog snapshot (read without locks), walking a version's tracked paths then its trees
 * by binary search; decoded trees are kept in a cache bounded by entry count (a share of the heap,
 * see {@link #treeCacheEntries}), and concurrent loads of one tree share a single fetch. Every entry of a version carries the version's time; the
 * top-level directories carry the newest version's time. Directories inside trees report one link
 * (their subdirectory count is not known without loading them; one link tells tools such as find
 * not to infer it). Open files live in a table from handle number to the open content. Reads may
 * also come without a handle (the FUSE binding declines the kernel's opens), by path or by the file
 * entry a lookup gave: a chunked file's open content is kept between them in {@link SharedFiles}.
 */
public final class VersoFileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(VersoFileSystem.class);
    /** The most tree entries kept decoded, whatever the heap. */
    public static final long MAX_TREE_CACHE_ENTRIES = 1_000_000;
    /** About what a decoded tree entry costs on the heap, held compactly (see Tree#decode). */
    static final long BYTES_PER_TREE_ENTRY = 80;
    public static final int NAME_MAX = 255;
    public static final int PATH_MAX = 4096;
    /** Shortest id prefix resolved under {@code versions/}. */
    public static final int MIN_PREFIX = 4;
    private static final int O_ACCMODE = 3;
    /** The most chunked files read without a handle kept open between reads. */
    static final int SHARED_FILES = 32;

    private final Catalog catalog;
    private final ContentSource content;
    private final Instant started = Instant.now();
    private final Cache<ObjectId, Tree> trees;
    private final long treeCacheEntries;
    /**
     * The last tree too large for the cache (a folder of more entries than the cache holds), kept
     * beside it: else every lookup and every piece of a listing in that folder would decode it again,
     * and listing a folder of a million files would decode a million entries a piece. One at a time.
     */
    private volatile Pinned oversized;
    private final Cache<ObjectId, VersionLayout> layouts = Caffeine.newBuilder().maximumSize(1024).build();
    private final Map<Long, ContentSource.OpenFile> handles = new ConcurrentHashMap<>();
    /** Chunked files read without a handle: their state between reads, one per path. */
    private final SharedFiles sharedFiles = new SharedFiles(SHARED_FILES);
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final AtomicLong opens = new AtomicLong();
    private final AtomicLong handlesTaken = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong ioErrors = new AtomicLong();

    public VersoFileSystem(Catalog catalog, ContentSource content) {
        this(catalog, content, treeCacheEntries(Runtime.getRuntime().maxMemory()));
    }

    /**
     * How many tree entries to keep decoded in a heap of {@code maxHeap} bytes: a fifth of the heap, at
     * most {@link #MAX_TREE_CACHE_ENTRIES}. The rest is for the content source's own caches, the tree
     * being decoded (its bytes and its entries) and the listing made from it: the daemon's 128 MiB heap
     * keeps a folder of 200,000 files and lists it, where a million entries would not fit beside it.
     */
    static long treeCacheEntries(long maxHeap) {
        return Math.max(1024, Math.min(MAX_TREE_CACHE_ENTRIES, maxHeap / 5 / BYTES_PER_TREE_ENTRY));
    }

    /** @param treeCacheEntries how many tree entries, over all cached trees, to keep decoded */
    public VersoFileSystem(Catalog catalog, ContentSource content, long treeCacheEntries) {
        if (treeCacheEntries <= 0) {
            throw new IllegalArgumentException("tree cache size must be positive");
        }
        this.catalog = catalog;
        this.content = content;
        this.treeCacheEntries = treeCacheEntries;
        this.trees = Caffeine.newBuilder()
                .executor(Runnable::run) // a tree over the bound goes at once, not on another thread later
                .maximumWeight(treeCacheEntries)
                .weigher((ObjectId id, Tree t) -> t.entries().size() + 1)
                .build();
    }

    public Catalog catalog() {
        return catalog;
    }

    public Attributes getattr(String path) throws FsException {
        CatalogSnapshot s = catalog.snapshot();
        return attributes(s, resolve(s, path));
    }

    /** The entries of a directory, without "." and "..". */
    public List<DirEntry> readdir(String path) throws FsException {
        List<DirEntry> out = new ArrayList<>();
        readdir(path, out::add);
        return out;
    }

    /**
     * Gives the entries of a directory, without "." and "..", one at a time to {@code sink} until it
     * returns false: a listing of a folder of 200,000 files holds one entry at a time, not all of them.
     */
    public void readdir(String path, Predicate<DirEntry> sink) throws FsException {
        readdir(path, 0, sink);
    }

    /**
     * As {@link #readdir(String, Predicate)}, from the entry at index {@code skip} on: a listing given
     * in pieces (FUSE asks for a large folder's entries a buffer at a time, by position) starts
     * each piece where the last one ended without going over the entries before it.
     */
    public void readdir(String path, long skip, Predicate<DirEntry> sink) throws FsException {
        if (skip < 0) {
            throw new FsException(Errno.EINVAL, "negative directory offset");
        }
        CatalogSnapshot s = catalog.snapshot();
        Node node = resolve(s, path);
        if (node instanceof Node.Top top) {
            List<DirEntry> out = new ArrayList<>();
            switch (top) {
                case ROOT -> {
                    for (String name : List.of("dates", "latest", "tags", "versions")) {
                        if (!name.equals("latest") || !s.isEmpty()) {
                            out.add(new DirEntry(name, attributes(s, resolve(s, "/" + name))));
                        }
                    }
                }
                case VERSIONS -> {
                    for (CatalogVersion v : s.versions()) {
                        out.add(new DirEntry(v.id().hex(), attributes(s, new Node.Synthetic(v, ""))));
                    }
                }
                case TAGS -> s.tags().forEach((name, id) ->
                        out.add(new DirEntry(name, attributes(s, tagLink(s, id)))));
                case DATES -> s.dates().forEach((name, v) ->
                        out.add(new DirEntry(name, attributes(s, dateLink(v)))));
            }
            giveAll(out, skip, sink);
        } else if (node instanceof Node.Synthetic syn) {
            List<DirEntry> out = new ArrayList<>();
            layout(syn.version()).children(syn.prefix()).forEach((name, e) -> {
                Node child = e == null
                        ? new Node.Synthetic(syn.version(), VersionLayout.child(syn.prefix(), name))
                        : new Node.Entry(syn.version(), e);
                out.add(new DirEntry(name, attributes(s, child)));
            });
            giveAll(out, skip, sink);
        } else if (node instanceof Node.Entry en && en.entry().type() == EntryType.DIR) {
            List<TreeEntry> entries = tree(en.entry().id()).entries();
            for (long i = skip; i < entries.size(); i++) {
                TreeEntry e = entries.get((int) i);
                if (!sink.test(new DirEntry(e.name(), attributes(s, new Node.Entry(en.version(), e))))) {
                    return;
                }
            }
        } else {
            throw new FsException(Errno.ENOTDIR, path + " is not a directory");
        }
    }

    private static void giveAll(List<DirEntry> entries, long skip, Predicate<DirEntry> sink) {
        for (long i = skip; i < entries.size(); i++) {
            if (!sink.test(entries.get((int) i))) {
                return;
            }
        }
    }

    public String readlink(String path) throws FsException {
        Node node = resolve(catalog.snapshot(), path);
        if (node instanceof Node.Link link) {
            return link.target();
        }
        if (node instanceof Node.Entry en && en.entry().type() == EntryType.SYMLINK) {
            return en.entry().target();
        }
        throw new FsException(Errno.EINVAL, path + " is not a symlink");
    }

    /** Opens a file for reading; {@code flags} are open(2) flags. Returns a handle for read and release. */
    public long open(String path, int flags) throws FsException {
        if ((flags & O_ACCMODE) != 0) {
            throw new FsException(Errno.EROFS, "open for writing: " + path);
        }
        ContentSource.OpenFile file = openContent(file(path));
        long handle = nextHandle.getAndIncrement();
        handles.put(handle, file);
        handlesTaken.incrementAndGet();
        return handle;
    }

    /** The file entry {@code path} names; EINVAL for a symlink, EISDIR for a directory. */
    private TreeEntry file(String path) throws FsException {
        Node node = resolve(catalog.snapshot(), path);
        if (!(node instanceof Node.Entry en) || en.entry().type() != EntryType.FILE) {
            if (node instanceof Node.Link || (node instanceof Node.Entry e && e.entry().type() == EntryType.SYMLINK)) {
                throw new FsException(Errno.EINVAL, path + " is a symlink");
            }
            throw new FsException(Errno.EISDIR, path + " is a directory");
        }
        return en.entry();
    }

    private ContentSource.OpenFile openContent(TreeEntry entry) throws FsException {
        try {
            ContentSource.OpenFile file = content.open(entry);
            opens.incrementAndGet();
            return file;
        } catch (IOException | RuntimeException e) {
            throw io("open " + entry.name(), e);
        }
    }

    /**
     * Reads {@code path} without a handle, for a kernel that sends no open and no release (see
     * {@code FuseSession}). As {@link #read(TreeEntry, long, int, ContentSource.Ranges)} once the
     * path is resolved.
     */
    public int read(String path, long offset, int length, ContentSource.Ranges out) throws FsException {
        return read(file(path), offset, length, out);
    }

    /**
     * Reads the file whose entry a lookup gave ({@link Attributes#file}) without a handle: hands
     * {@code out} up to {@code length} bytes at {@code offset} as ranges of held blocks (see
     * {@link ContentSource.OpenFile#read(long, int, ContentSource.Ranges)}); returns the count, short
     * only at the end of the file. A file of one object keeps no state between reads, so each read
     * opens it, reads and closes (which costs nothing: no fetch, no allocation beyond the call). A
     * chunked file is read through one open file per content, shared by its readers and kept between
     * reads in {@link SharedFiles}, so its read-ahead follows the reads as with an open handle; a read
     * that reaches the end of the file lets it go.
     */
    public int read(TreeEntry file, long offset, int length, ContentSource.Ranges out) throws FsException {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset");
        }
        if (!file.chunked()) {
            ContentSource.OpenFile open = openContent(file);
            try {
                return read(open, offset, length, out);
            } finally {
                close(open);
            }
        }
        SharedFiles.Held held;
        try {
            held = sharedFiles.acquire(file.id(), file.size(), () -> openContent(file));
        } catch (IOException e) {
            throw io("open " + file.name(), e);
        }
        boolean end = false;
        try {
            int n = read(held.file(), offset, length, out);
            end = offset + n >= held.size();
            return n;
        } finally {
            sharedFiles.release(held, end);
        }
    }

    /** Reads an open file, as {@link #read(TreeEntry, long, int, ContentSource.Ranges)}. */
    public int read(long handle, long offset, int length, ContentSource.Ranges out) throws FsException {
        ContentSource.OpenFile file = handles.get(handle);
        if (file == null) {
            throw new FsException(Errno.EBADF, "no open file with handle " + handle);
        }
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset");
        }
        return read(file, offset, length, out);
    }

    private int read(ContentSource.OpenFile file, long offset, int length, ContentSource.Ranges out)
            throws FsException {
        try {
            int n = file.read(offset, length, out);
            reads.incrementAndGet();
            bytesRead.addAndGet(n);
            return n;
        } catch (IOException | RuntimeException e) {
            throw io("read at " + offset, e);
        }
    }

    /** Closes an open file; an unknown handle is ignored. */
    public void release(long handle) {
        ContentSource.OpenFile file = handles.remove(handle);
        if (file != null) {
            close(file);
        }
    }

    /** Closes an open file, logging a failure: nothing waits on it. */
    static void close(ContentSource.OpenFile file) {
        try {
            file.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("closing an open file: {}", e.toString());
        }
    }

    public FsUsage statfs() {
        long bytes = 0;
        long files = 0;
        for (CatalogVersion v : catalog.snapshot().versions()) {
            bytes += v.version().totalSize();
            files += v.version().totalFiles();
        }
        return new FsUsage(4096, bytes, files, NAME_MAX);
    }

    /** Files currently open. */
    public int openFiles() {
        return handles.size();
    }

    /** Handles {@link #open} has returned since the filesystem was made. */
    public long handlesTaken() {
        return handlesTaken.get();
    }

    /** One line of counters for the daemon log. */
    public String stats() {
        return "opens=" + opens.get() + " open=" + (handles.size() + sharedFiles.size()) + " reads=" + reads.get()
                + " bytesRead=" + bytesRead.get() + " ioErrors=" + ioErrors.get()
                + " cachedTrees=" + trees.estimatedSize() + " versions=" + catalog.snapshot().versions().size();
    }

    private FsException io(String what, Throwable e) {
        ioErrors.incrementAndGet();
        Throwable c = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        return new FsException(Errno.EIO, what + ": " + c.getMessage(), c);
    }

    // ---- resolution

    private Node resolve(CatalogSnapshot s, String path) throws FsException {
        List<String> segs = split(path);
        if (segs.isEmpty()) {
            return Node.Top.ROOT;
        }
        String first = segs.get(0);
        switch (first) {
            case "versions" -> {
                if (segs.size() == 1) {
                    return Node.Top.VERSIONS;
                }
                return resolveVersion(s, segs, path);
            }
            case "tags", "dates" -> {
                if (segs.size() == 1) {
                    return first.equals("tags") ? Node.Top.TAGS : Node.Top.DATES;
                }
                if (segs.size() > 2) {
                    throw new FsException(Errno.ENOTDIR, path + ": a link, not a directory");
                }
                if (first.equals("tags")) {
                    ObjectId id = s.tags().get(segs.get(1));
                    if (id != null) {
                        return tagLink(s, id);
                    }
                } else {
                    CatalogVersion v = s.dates().get(segs.get(1));
                    if (v != null) {
                        return dateLink(v);
                    }
                }
                throw new FsException(Errno.ENOENT, path);
            }
            case "latest" -> {
                CatalogVersion v = s.latest();
                if (v == null) {
                    throw new FsException(Errno.ENOENT, path + ": no versions yet");
                }
                if (segs.size() > 1) {
                    throw new FsException(Errno.ENOTDIR, path + ": a link, not a directory");
                }
                return new Node.Link("versions/" + v.id().hex(), v.version().time());
            }
            default -> throw new FsException(Errno.ENOENT, path);
        }
    }

    private Node resolveVersion(CatalogSnapshot s, List<String> segs, String path) throws FsException {
        String name = segs.get(1);
        CatalogVersion v = ObjectId.isValidHex(name) ? s.version(ObjectId.fromHex(name)) : null;
        if (v == null) {
            if (segs.size() == 2 && name.length() >= MIN_PREFIX && ObjectId.isHexPrefix(name)) {
                List<CatalogVersion> found = s.findByPrefix(name);
                if (found.size() == 1) {
                    return new Node.Link(found.get(0).id().hex(), found.get(0).version().time());
                }
            }
            throw new FsException(Errno.ENOENT, path);
        }
        Node node = new Node.Synthetic(v, "");
        for (int i = 2; i < segs.size(); i++) {
            String seg = segs.get(i);
            if (node instanceof Node.Synthetic syn) {
                SortedMap<String, TreeEntry> children = layout(v).children(syn.prefix());
                if (!children.containsKey(seg)) {
                    throw new FsException(Errno.ENOENT, path);
                }
                TreeEntry e = children.get(seg);
                node = e == null ? new Node.Synthetic(v, VersionLayout.child(syn.prefix(), seg)) : new Node.Entry(v, e);
            } else {
                TreeEntry dir = ((Node.Entry) node).entry();
                if (dir.type() != EntryType.DIR) {
                    throw new FsException(Errno.ENOTDIR, path);
                }
                TreeEntry e = tree(dir.id()).find(seg);
                if (e == null) {
                    throw new FsException(Errno.ENOENT, path);
                }
                node = new Node.Entry(v, e);
            }
        }
        return node;
    }

    private static List<String> split(String path) throws FsException {
        if (path.length() > PATH_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "path too long");
        }
        List<String> segs = new ArrayList<>();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (seg.length() > NAME_MAX / 3 && seg.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw new FsException(Errno.ENAMETOOLONG, "name too long: " + seg.substring(0, 32) + "...");
            }
            segs.add(seg);
        }
        return segs;
    }

    private static Node tagLink(CatalogSnapshot s, ObjectId id) {
        return new Node.Link("../versions/" + id.hex(), s.version(id).version().time());
    }

    private static Node dateLink(CatalogVersion v) {
        return new Node.Link("../versions/" + v.id().hex(), v.version().time());
    }

    private VersionLayout layout(CatalogVersion v) {
        return layouts.get(v.id(), k -> new VersionLayout(v.version()));
    }

    /** A tree kept beside the cache, and its id. */
    private record Pinned(ObjectId id, Tree tree) {
    }

    private Tree tree(ObjectId id) throws FsException {
        Pinned pinned = oversized;
        if (pinned != null && pinned.id().equals(id)) {
            return pinned.tree();
        }
        Tree t;
        try {
            t = trees.get(id, k -> {
                try {
                    return content.tree(k);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException | IllegalStateException e) {
            throw io("tree " + id.shortHex(), e);
        }
        if (t.entries().size() + 1 > treeCacheEntries) {
            oversized = new Pinned(id, t);
        }
        return t;
    }

    private Attributes attributes(CatalogSnapshot s, Node node) {
        if (node instanceof Node.Top top) {
            CatalogVersion latest = s.latest();
            Instant time = latest == null ? started : latest.version().time();
            long links = switch (top) {
                case ROOT -> 5;
                case VERSIONS -> 2 + s.versions().size();
                case TAGS, DATES -> 2;
            };
            return Attributes.dir(links, time);
        }
        if (node instanceof Node.Link link) {
            return Attributes.symlink(link.target(), link.time());
        }
        if (node instanceof Node.Synthetic syn) {
            long subdirs = layout(syn.version()).children(syn.prefix()).values().stream()
                    .filter(e -> e == null || e.type() == EntryType.DIR).count();
            return Attributes.dir(2 + subdirs, syn.version().version().time());
        }
        Node.Entry en = (Node.Entry) node;
        TreeEntry e = en.entry();
        Instant time = en.version().version().time();
        return switch (e.type()) {
            case FILE -> new Attributes(EntryType.FILE, e.size(),
                    e.executable() ? Attributes.READ_EXECUTE : Attributes.READ_ONLY, 1, time, e);
            case DIR -> Attributes.dir(1, time);
            case SYMLINK -> Attributes.symlink(e.target(), time);
        };
    }
}
