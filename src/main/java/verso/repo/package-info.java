/**
 * The repository: workspace scanning, add/commit/checkout, pointer files, versions and tags,
 * push/fetch, gc, locks, and the block reader that combines the in-memory cache, the local object
 * store and a remote.
 */
package verso.repo;
