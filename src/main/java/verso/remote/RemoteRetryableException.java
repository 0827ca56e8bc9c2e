package verso.remote;

/** A failure that may pass on retry: connection refused or reset, timeout, throttling, a 5xx. */
public final class RemoteRetryableException extends RemoteException {
    public RemoteRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
