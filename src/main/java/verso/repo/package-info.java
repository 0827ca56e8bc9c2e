/**
 * The repository: workspace scanning and its index, add and commit, status and diff, checkout,
 * pointer files, the version log and tags, local gc and verification, and the repository lock.
 *
 * <p>Uses {@code store} and {@code remote} (remote settings).
 */
package verso.repo;
