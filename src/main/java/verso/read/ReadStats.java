package verso.read;

import java.util.concurrent.atomic.LongAdder;
import verso.cache.BlockCache;
import verso.cache.DiskCache;

/** Counters of the mount's data path, updated without locks; read as a {@link Snapshot}. */
public final class ReadStats {
    final LongAdder remoteGets = new LongAdder();
    final LongAdder remoteBytes = new LongAdder();
    final LongAdder localReads = new LongAdder();
    final LongAdder localBytes = new LongAdder();
    final LongAdder diskReads = new LongAdder();
    final LongAdder diskBytes = new LongAdder();
    final LongAdder diskErrors = new LongAdder();
    final LongAdder fetchErrors = new LongAdder();
    final LongAdder verificationFailures = new LongAdder();

    /**
     * The counters at one moment, with the block cache's (the memory hits) and the disk cache's
     * (null without one). {@code diskReads} are disk hits; {@code remoteGets} are the remote fetches.
     * {@code fetchErrors} counts remote requests that failed (after the remote's own retries); {@code
     * verificationFailures} counts objects whose bytes did not hash to their id, local, on disk or
     * remote; {@code diskErrors} counts disk cache entries that could not be read.
     */
    public record Snapshot(BlockCache.Stats cache, long remoteGets, long remoteBytes, long localReads,
                           long localBytes, long diskReads, long diskBytes, long diskErrors,
                           DiskCache.Stats disk, long fetchErrors, long verificationFailures) {

        /** One line for the daemon log. */
        public String summary() {
            String diskLine = disk == null ? "disk cache: none" : String.format(
                    "disk cache: %d hits, %s, %d written, %d evicted, %d unreadable", diskReads, bytes(diskBytes),
                    disk.puts(), disk.evictions(), diskErrors);
            return String.format("memory cache: %d hits, %d misses, %d shared, %d read-ahead, %d evicted, %s of %s held;"
                            + " %s; remote: %d gets, %s; local: %d reads, %s; %d fetch errors, %d verification failures",
                    cache.hits(), cache.misses(), cache.joins(), cache.prefetches(), cache.evictions(),
                    bytes(cache.sizeBytes()), bytes(cache.maxBytes()), diskLine, remoteGets, bytes(remoteBytes),
                    localReads, bytes(localBytes), fetchErrors, verificationFailures);
        }

        private static String bytes(long n) {
            if (n < 1024) {
                return n + " B";
            }
            String units = "KMGTPE";
            int u = (63 - Long.numberOfLeadingZeros(n)) / 10;
            return String.format("%.1f %siB", n / (double) (1L << (10 * u)), units.charAt(u - 1));
        }
    }

    Snapshot snapshot(BlockCache cache, DiskCache disk) {
        return new Snapshot(cache.stats(), remoteGets.sum(), remoteBytes.sum(), localReads.sum(),
                localBytes.sum(), diskReads.sum(), diskBytes.sum(), diskErrors.sum(),
                disk == null ? null : disk.stats(), fetchErrors.sum(), verificationFailures.sum());
    }
}
