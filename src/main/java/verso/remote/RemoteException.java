package verso.remote;

import java.io.IOException;

/** A remote operation failed in a way that retrying will not fix (credentials, missing bucket, ...). */
public class RemoteException extends IOException {
    public RemoteException(String message) {
        super(message);
    }

    public RemoteException(String message, Throwable cause) {
        super(message, cause);
    }
}
