/**
 * The in-memory block cache: verified object bytes by {@link verso.store.ObjectId}, bounded in bytes.
 * Objects are immutable, so nothing here is ever invalidated; entries only age out. The cache knows
 * nothing of where bytes come from: callers pass the loader.
 *
 * <p>Uses {@code store} and Caffeine.
 */
package verso.cache;
