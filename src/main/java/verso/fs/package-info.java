/**
 * The mount's filesystem semantics, with no FUSE types: the {@link verso.fs.Catalog} of versions and
 * tags (local directory, remote, or both, refreshed on a timer), path to node resolution over the
 * layout {@code latest}, {@code versions/<id>/...}, {@code tags/<name>}, {@code dates/<time>}, the
 * operations getattr, readdir, readlink, open, read, release and statfs in
 * {@link verso.fs.VersoFileSystem}, errors that carry their errno ({@link verso.fs.FsException}),
 * and the process side of mounting (mount table, unmount, stale mounts, daemon launch).
 */
package verso.fs;
