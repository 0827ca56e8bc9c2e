/**
 * Remotes: object stores with the repository layout ({@code objects/}, {@code versions/},
 * {@code tags/}) behind the small {@link verso.remote.Remote} interface, with S3 and local-directory
 * implementations and the retry, concurrency-limit and logging wrappers composed in one place.
 * Knows nothing of trees or versions: keys and bytes only.
 *
 * <p>Uses {@code store} and the AWS SDK, which no other package imports.
 */
package verso.remote;
