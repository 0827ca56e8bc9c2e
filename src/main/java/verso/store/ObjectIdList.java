package verso.store;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list of object ids held in one array, 32 bytes an id, for the object lists of a push over millions
 * of files (an {@code ArrayList<ObjectId>} costs about 76 bytes an id). Each {@link #get} makes a new
 * {@link ObjectId}. Appends only; not thread-safe.
 */
public final class ObjectIdList extends AbstractList<ObjectId> implements RandomAccess {
    private byte[] table = new byte[16 * ObjectId.LENGTH];
    private int size;

    @Override
    public boolean add(ObjectId id) {
        if ((size + 1) * ObjectId.LENGTH > table.length) {
            int slots = Math.max(16, Math.addExact(size, size >> 1));
            table = Arrays.copyOf(table, Math.multiplyExact(slots, ObjectId.LENGTH));
        }
        id.copyTo(table, size * ObjectId.LENGTH);
        size++;
        modCount++;
        return true;
    }

    @Override
    public ObjectId get(int i) {
        Objects.checkIndex(i, size);
        return ObjectId.fromTable(table, i * ObjectId.LENGTH);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        table = new byte[16 * ObjectId.LENGTH];
        size = 0;
        modCount++;
    }
}
