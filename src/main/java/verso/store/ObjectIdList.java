package verso.store;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list of object ids held 32 bytes an id, for the object lists of a push over millions of files (an
 * {@code ArrayList<ObjectId>} costs about 76 bytes an id). Each {@link #get} makes a new
 * {@link ObjectId}.
 *
 * <p>Design: the ids live in chunks of {@link #CHUNK} ids (128 KiB each), so the list grows without
 * copying what it holds and without arrays so large that the collector must find them contiguous
 * room. Appends only; not thread-safe.
 */
public final class ObjectIdList extends AbstractList<ObjectId> implements RandomAccess {
    static final int CHUNK = 4096;

    private final List<byte[]> chunks = new ArrayList<>();
    private int size;

    @Override
    public boolean add(ObjectId id) {
        int at = size % CHUNK;
        if (at == 0) {
            chunks.add(new byte[CHUNK * ObjectId.LENGTH]);
        }
        id.copyTo(chunks.get(size / CHUNK), at * ObjectId.LENGTH);
        size++;
        modCount++;
        return true;
    }

    @Override
    public ObjectId get(int i) {
        Objects.checkIndex(i, size);
        return ObjectId.fromTable(chunks.get(i / CHUNK), (i % CHUNK) * ObjectId.LENGTH);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void clear() {
        chunks.clear();
        size = 0;
        modCount++;
    }
}
