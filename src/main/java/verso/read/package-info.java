/**
 * The read path of the mount: an open file's blocks found through its block index, read from the
 * memory cache, the local object store, the disk cache or a remote (one ranged GET per block, then
 * written to the disk cache), verified before any byte is served, fetched ahead on sequential reads,
 * all under one memory budget ({@link verso.read.BlockReader}, {@link verso.read.ObjectReader},
 * {@link verso.read.ReadAhead}); and filling the disk cache ahead of a job ({@link verso.read.Prefetcher}).
 *
 * <p>Uses {@code store}, {@code remote} and {@code cache}.
 */
package verso.read;
