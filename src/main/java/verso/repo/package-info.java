/**
 * The repository: workspace scanning, add/commit/checkout, pointer files, versions and tags,
 * push/fetch and the remote lock, local and remote gc, and the repository lock.
 */
package verso.repo;
