/**
 * The only code that makes native calls: {@link verso.fs.jnr.FuseSession} serves
 * {@link verso.fs.VersoFileSystem} over the kernel's FUSE protocol, with the node ids the kernel
 * holds in {@code NodeTable}; {@code FuseDevice} mounts with libfuse 2 and reads and writes the
 * device; {@link verso.fs.jnr.FuseMount} mounts, confirms readiness, serves in the foreground and
 * unmounts; {@code FuseEnvironment} says what a mount lacks (libfuse2, /dev/fuse, the capability,
 * fusermount) before libfuse tries.
 *
 * <p>Uses {@code fs}.
 */
package verso.fs.jnr;
