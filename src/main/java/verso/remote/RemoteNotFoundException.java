package verso.remote;

/** The key does not exist on the remote. */
public final class RemoteNotFoundException extends RemoteException {
    public RemoteNotFoundException(String key) {
        super("not found on the remote: " + key);
    }
}
