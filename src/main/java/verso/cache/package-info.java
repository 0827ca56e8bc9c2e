/**
 * The block caches: verified object bytes by {@link verso.store.ObjectId}, bounded in bytes, in
 * memory ({@link verso.cache.BlockCache}) and on disk ({@link verso.cache.DiskCache}, shared by the
 * processes that use its directory). Objects are immutable, so nothing here is ever invalidated;
 * entries only age out. The caches know nothing of where bytes come from: callers pass the loader or
 * the bytes.
 *
 * <p>Uses {@code store} and Caffeine.
 */
package verso.cache;
