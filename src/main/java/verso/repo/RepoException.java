package verso.repo;

/**
 * A user error: the repository or the request is not what the command needs. The message is one
 * line saying what is wrong and what to do ({@code "<what>; <what to do>"}); it is shown as is.
 */
public class RepoException extends java.io.IOException {
    public RepoException(String message) {
        super(message);
    }
}
