/**
 * Bringing a DVC project's history into verso: DVC's file formats ({@code .dvc} files, {@code dvc.lock},
 * {@code .dir} manifests, {@code .dvc/config}), its cache layouts and remotes, the walk over the git
 * history, and the recording of one verso version per commit that changed what DVC tracks.
 *
 * <p>Uses {@code store}, {@code remote} and {@code repo}; only {@code cli} uses it.
 */
package verso.dvc;
