package verso.store;

import java.io.IOException;

/** An object that a reference names but that is not in the store asked. */
public final class MissingObjectException extends IOException {
    private final ObjectId id;

    public MissingObjectException(ObjectId id) {
        super("object " + id.shortHex() + " is not in the cache");
        this.id = id;
    }

    public ObjectId id() {
        return id;
    }
}
