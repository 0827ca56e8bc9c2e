package verso.cli;

import java.util.function.Predicate;
import verso.repo.ObjectFetcher;
import verso.repo.Repository;
import verso.store.ObjectId;

/**
 * Where the local commands meet remotes: whether a version has a copy on the default remote (for gc
 * safety and verify), and how checkout fetches missing objects. Until remotes are wired in, no
 * version is on any remote (gc keeps everything committed) and nothing is fetched.
 */
final class RemoteWiring {
    private RemoteWiring() {
    }

    /** True for versions present on the default remote; always false when none is configured. */
    static Predicate<ObjectId> versionsOnDefaultRemote(Repository repo) {
        return id -> false;
    }

    /** Fetches missing objects from the default remote; null when there is none. */
    static ObjectFetcher fetcher(Repository repo) {
        return null;
    }
}
