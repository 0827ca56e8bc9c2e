/**
 * The {@code verso} command line (picocli): one class per subcommand, the mapping of errors to exit
 * codes and one-line messages, progress bars on terminals. Nothing depends on this package.
 *
 * <p>Uses every package.
 */
package verso.cli;
