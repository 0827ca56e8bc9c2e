package verso.remote;

import java.nio.file.Path;

/**
 * The one place where a remote is built from its settings and wrapped:
 * {@code Retrying(Logging(Limited(S3 or directory)))}. Retry is outermost so that waiting to retry
 * holds no concurrency permit; logging sits inside it so that each attempt is logged and counted;
 * the limit is innermost so that it bounds real requests only.
 */
public final class Remotes {
    /** Requests in flight per remote: enough to fill a fast link with 4-8 MiB reads, below the pool size. */
    public static final int DEFAULT_CONCURRENCY = 32;

    private Remotes() {
    }

    /** Opens a remote with the default retry policy and concurrency; relative paths resolve against {@code base}. */
    public static Remote open(RemoteSpec spec, Path base, RemoteStats stats) throws RemoteException {
        return wrap(openUnwrapped(spec, base), stats);
    }

    public static Remote open(RemoteSpec spec, Path base) throws RemoteException {
        return open(spec, base, new RemoteStats());
    }

    /** The bare implementation for a spec, without retry, limit or logging. */
    public static Remote openUnwrapped(RemoteSpec spec, Path base) throws RemoteException {
        RemoteUrl url = RemoteUrl.parse(spec.url(), base);
        if (url instanceof RemoteUrl.S3 s3) {
            return new S3Remote(s3.bucket(), s3.prefix(), S3Settings.resolve(spec));
        }
        return new LocalDirRemote(((RemoteUrl.Directory) url).path());
    }

    /** Wraps any remote the standard way. */
    public static Remote wrap(Remote raw, RemoteStats stats) {
        return wrap(raw, stats, RetryPolicy.DEFAULT, DEFAULT_CONCURRENCY);
    }

    public static Remote wrap(Remote raw, RemoteStats stats, RetryPolicy policy, int maxConcurrent) {
        return new RetryingRemote(new LoggingRemote(new LimitedRemote(raw, maxConcurrent), stats), policy, stats);
    }
}
