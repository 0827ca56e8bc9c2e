package verso.dvc;

import verso.repo.RepoException;

/** Bad or missing DVC data: one line naming the commit and the path, and what to do. */
public class DvcException extends RepoException {
    public DvcException(String message) {
        super(message);
    }
}
