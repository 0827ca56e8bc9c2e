/**
 * What moves between a local object store and a remote: push, fetch, remote gc and remote
 * verification, and the remote lock that keeps a gc from deleting what a push is writing. Each takes
 * the store and version log it works on, never the whole repository; the caller holds the
 * repository's lock.
 *
 * <p>Uses {@code store}, {@code remote} and {@code repo} (the version log, the shared tree walk).
 */
package verso.sync;
