package verso.fs;

import java.io.Closeable;
import java.io.IOException;
import verso.store.ObjectId;

/**
 * The versions and tags a mount shows. {@link #snapshot()} is lock-free and returns an immutable
 * view; {@link #refresh()} re-reads the source and publishes a new snapshot (callers serialize
 * refreshes; a {@link CatalogRefresher} runs them on a timer).
 */
public interface Catalog extends Closeable {

    /**
     * Readies a version before a catalog shows it, such as learning which packs hold its objects; a
     * version it fails for is left out (and logged) until a later refresh succeeds.
     */
    @FunctionalInterface
    interface Preparer {
        void prepare(ObjectId version) throws IOException;
    }

    /** The current snapshot; never null (empty before the first refresh). */
    CatalogSnapshot snapshot();

    /**
     * Re-reads versions and tags. Unreadable or corrupt version files are skipped and logged; a
     * failure to list the source at all is thrown and the previous snapshot stays current.
     */
    void refresh() throws IOException;

    /** Where the versions come from, for messages. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
