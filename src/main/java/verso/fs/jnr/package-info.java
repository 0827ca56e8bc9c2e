/**
 * The only code that imports jnr-fuse: {@link verso.fs.jnr.FuseAdapter} forwards each FUSE callback
 * to {@link verso.fs.VersoFileSystem}, converts stat, statvfs and directory entries, and maps
 * errors to negative errno values; {@link verso.fs.jnr.FuseMount} mounts, confirms readiness,
 * serves in the foreground and unmounts; {@code FuseEnvironment} says what a mount
 * lacks (libfuse2, /dev/fuse, the capability, fusermount) before libfuse tries.
 *
 * <p>Uses {@code fs}.
 */
package verso.fs.jnr;
