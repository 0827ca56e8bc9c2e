package verso.fs;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import verso.store.DaemonThreads;

/**
 * Refreshes a catalog on a fixed delay, so versions committed or pushed after mounting appear
 * within one period. A failed refresh is logged once per run of failures (and again on recovery),
 * and the previous snapshot stays current.
 */
public final class CatalogRefresher implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogRefresher.class);
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(2);

    private final Catalog catalog;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final ScheduledFuture<?> task;
    private boolean failing;

    /** Refreshes on the given executor (which the caller shuts down). */
    public CatalogRefresher(Catalog catalog, Duration period, ScheduledExecutorService executor) {
        this(catalog, period, executor, false);
    }

    /** Refreshes on a daemon thread of its own. */
    public CatalogRefresher(Catalog catalog, Duration period) {
        this(catalog, period,
                Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("verso-catalog-refresh")), true);
    }

    private CatalogRefresher(Catalog catalog, Duration period, ScheduledExecutorService executor, boolean owns) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("refresh period must be positive");
        }
        this.catalog = catalog;
        this.executor = executor;
        this.ownsExecutor = owns;
        long ms = period.toMillis();
        this.task = executor.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
    }

    private synchronized void runOnce() {
        try {
            catalog.refresh();
            if (failing) {
                LOG.info("listing versions of {} works again", catalog.describe());
                failing = false;
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("could not refresh versions of {}: {}", catalog.describe(), e.toString());
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        task.cancel(false);
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }
}
