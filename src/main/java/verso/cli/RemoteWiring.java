package verso.cli;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import verso.remote.Remote;
import verso.remote.RemoteSpec;
import verso.remote.RemoteStats;
import verso.remote.Remotes;
import verso.repo.ObjectFetcher;
import verso.repo.ProgressListener;
import verso.repo.RepoException;
import verso.repo.Repository;
import verso.store.ObjectId;
import verso.sync.Fetcher;
import verso.sync.RemoteVersions;

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
                "no default remote; add one with verso remote add NAME URL --default, or give -r NAME"));
    }

    /** Opens the named remote (or the default one), wrapped with retries, limits and logging. */
    static Remote open(Repository repo, String name) throws IOException {
        return Remotes.open(spec(repo, name), repo.root());
    }

    /** The named (or default) remote's history, for push, fetch and the remote-aware commands. */
    static RemoteVersions remote(Repository repo, String name) throws IOException {
        RemoteSpec s = spec(repo, name);
        RemoteStats stats = new RemoteStats();
        return new RemoteVersions(Remotes.open(s, repo.root(), stats), s.name() != null ? s.name() : s.url(), stats);
    }

    /** With --verbose, the requests a command made to a remote: packs make many objects few requests. */
    static void printRequests(Main main, RemoteVersions remote) {
        if (main.verbose) {
            System.out.println("requests to " + remote.name() + ": " + remote.stats());
        }
    }

    /**
     * True for versions present on the default remote (one listing of its {@code versions/}); always
     * false when none is configured. A remote that cannot be reached is an error: gc must not guess.
     */
    static Predicate<ObjectId> versionsOnDefaultRemote(Repository repo) throws IOException {
        Optional<RemoteSpec> spec = repo.config().defaultRemoteSpec();
        if (spec.isEmpty()) {
            return id -> false;
        }
        try (RemoteVersions remote = remote(repo, spec.get().name())) {
            Set<ObjectId> ids = remote.ids();
            return ids::contains;
        }
    }

    /** Fetches missing objects from the default remote, opened on first use; null when there is none. */
    static LazyFetcher fetcher(Repository repo) {
        return repo.config().defaultRemoteSpec().isPresent() ? new LazyFetcher(repo) : null;
    }

    /** A fetcher from {@code remote} into the repository's cache; close it when done. */
    static Fetcher fetcher(Repository repo, RemoteVersions remote, ProgressListener progress) {
        return new Fetcher(repo.store(), repo.versions(), remote, progress);
    }

    /** Opens the default remote only if checkout needs an object the cache lacks. */
    static final class LazyFetcher implements ObjectFetcher, Closeable {
        private final Repository repo;
        private RemoteVersions remote;
        private Fetcher fetcher;

        private LazyFetcher(Repository repo) {
            this.repo = repo;
        }

        @Override
        public synchronized void fetch(Collection<ObjectId> ids) throws IOException {
            if (fetcher == null) {
                remote = remote(repo, null);
                fetcher = fetcher(repo, remote, ProgressListener.NONE);
            }
            fetcher.fetch(ids);
        }

        @Override
        public synchronized void close() throws IOException {
            if (fetcher != null) {
                fetcher.close();
                remote.close();
            }
        }
    }
}
