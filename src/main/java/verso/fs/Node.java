package verso.fs;

import verso.store.TreeEntry;

/** What a path resolves to. */
sealed interface Node {

    /** The four directories at the top: the root, {@code versions}, {@code tags}, {@code dates}. */
    enum Top implements Node { ROOT, VERSIONS, TAGS, DATES }

    /** A symlink made by the layout ({@code latest}, a tag, a date, a short id). */
    record Link(String target, java.time.Instant time) implements Node {
    }

    /** A version's root or a directory made by its tracked paths. */
    record Synthetic(CatalogVersion version, String prefix) implements Node {
    }

    /** A tracked entry or an entry of one of its trees. */
    record Entry(CatalogVersion version, TreeEntry entry) implements Node {
    }
}
