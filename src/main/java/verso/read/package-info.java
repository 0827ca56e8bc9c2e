/**
 * The read path of the mount: an open file's blocks found through its block index, read from the
 * memory cache, the local object store or a remote (one ranged GET per block), verified before any
 * byte is served, fetched ahead on sequential reads, all under one memory budget
 * ({@link verso.read.BlockReader}, {@link verso.read.ObjectReader}, {@link verso.read.ReadAhead}).
 *
 * <p>Uses {@code store}, {@code remote} and {@code cache}.
 */
package verso.read;
