/**
 * The mount's filesystem semantics, with no FUSE types: the {@link verso.fs.Catalog} of versions and
 * tags (local directory, remote, or both, refreshed on a timer), path to node resolution over the
 * layout {@code latest}, {@code versions/<id>/...}, {@code tags/<name>}, {@code dates/<time>}, the
 * operations getattr, readdir, readlink, open, read (by handle or by path), release and statfs in
 * {@link verso.fs.VersoFileSystem} (with {@link verso.fs.SharedFiles}, the open files of reads that
 * come without a handle), errors that carry their errno ({@link verso.fs.FsException}),
 * and the kernel's mount table ({@link verso.fs.MountTable}: what is mounted where, unmounting, stale
 * mounts), which the FUSE binding needs too.
 *
 * <p>Uses {@code store}, {@code remote} and {@code read}.
 */
package verso.fs;
