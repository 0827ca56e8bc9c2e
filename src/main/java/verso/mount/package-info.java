/**
 * The mount daemon's life outside the filesystem: starting it in the background and waiting until
 * the mount answers ({@link verso.mount.DaemonLauncher}), its pid and log files
 * ({@link verso.mount.DaemonFiles}), and stopping it ({@link verso.mount.Unmounter}).
 *
 * <p>Uses {@code fs} and {@code repo}.
 */
package verso.mount;
