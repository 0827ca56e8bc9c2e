package verso.store;

import java.util.List;
import java.util.Objects;

/**
 * One named entry: a file, a directory or a symlink.
 *
 * <ul>
 *   <li>file: {@code id} is its blob, or, when {@code chunked}, its {@link BlockIndex} (files larger
 *       than one block are stored as blocks, each a blob of its own);</li>
 *   <li>dir: {@code id} is its {@link Tree}; {@code size} and {@code files} total everything below;</li>
 *   <li>symlink: {@code target} is the link text, {@code id} is null, {@code size} its length.</li>
 * </ul>
 *
 * In a tree, {@code name} is one path segment; in a {@link Version}, it is a tracked path
 * relative to the project (segments joined by {@code /}).
 */
public record TreeEntry(String name, EntryType type, long size, boolean executable, ObjectId id,
                        boolean chunked, long files, String target) {

    public TreeEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (size < 0 || files < 0) {
            throw new IllegalArgumentException("negative size or file count for '" + name + "'");
        }
        switch (type) {
            case FILE -> {
                Objects.requireNonNull(id, "id");
                if (target != null || files != 1) {
                    throw new IllegalArgumentException("file entry '" + name + "' is malformed");
                }
            }
            case DIR -> {
                Objects.requireNonNull(id, "id");
                if (target != null || chunked || executable) {
                    throw new IllegalArgumentException("dir entry '" + name + "' is malformed");
                }
            }
            case SYMLINK -> {
                Objects.requireNonNull(target, "target");
                if (id != null || chunked || executable || files != 1) {
                    throw new IllegalArgumentException("symlink entry '" + name + "' is malformed");
                }
            }
        }
    }

    public static TreeEntry file(String name, long size, boolean executable, ObjectId id, boolean chunked) {
        return new TreeEntry(name, EntryType.FILE, size, executable, id, chunked, 1, null);
    }

    public static TreeEntry dir(String name, long size, long files, ObjectId tree) {
        return new TreeEntry(name, EntryType.DIR, size, false, tree, false, files, null);
    }

    /** A directory's entry whose totals are those of the {@code entries} its tree holds. */
    public static TreeEntry dir(String name, ObjectId tree, List<TreeEntry> entries) {
        long size = 0;
        long files = 0;
        for (TreeEntry e : entries) {
            size += e.size();
            files += e.files();
        }
        return dir(name, size, files, tree);
    }

    public static TreeEntry symlink(String name, String target) {
        return new TreeEntry(name, EntryType.SYMLINK,
                target.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, false, null, false, 1, target);
    }

    public TreeEntry withName(String newName) {
        return new TreeEntry(newName, type, size, executable, id, chunked, files, target);
    }

    /** True if both entries have the same content (name aside). */
    public boolean sameContent(TreeEntry o) {
        return type == o.type && size == o.size && executable == o.executable && chunked == o.chunked
                && Objects.equals(id, o.id) && Objects.equals(target, o.target);
    }
}
