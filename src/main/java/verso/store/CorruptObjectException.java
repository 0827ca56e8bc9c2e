package verso.store;

import java.io.IOException;

/** An object whose bytes do not hash to its id, or whose encoding is invalid. Never served, never followed. */
public final class CorruptObjectException extends IOException {
    private final ObjectId id;

    public CorruptObjectException(ObjectId id, String message) {
        super("corrupt object " + (id == null ? "" : id.shortHex() + ": ") + message);
        this.id = id;
    }

    /** The object's id, or null if unknown. */
    public ObjectId id() {
        return id;
    }
}
