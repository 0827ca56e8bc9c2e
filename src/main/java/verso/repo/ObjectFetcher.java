package verso.repo;

import java.io.IOException;
import java.util.Collection;
import verso.store.ObjectId;

/**
 * Brings objects that the local cache lacks into it (from a remote). Checkout calls it with the
 * objects it needs before it gives up on them; it may fetch more (for example a whole version).
 */
@FunctionalInterface
public interface ObjectFetcher {
    /** Stores every object it can find among {@code ids} in the local cache; absent ones are left out. */
    void fetch(Collection<ObjectId> ids) throws IOException;
}
