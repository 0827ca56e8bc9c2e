package verso.store;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A list of longs held 8 bytes each, for the object sizes of a push over millions of files (an
 * {@code ArrayList<Long>} costs about 20 bytes a size). Chunked as {@link ObjectIdList} is, for the
 * same reasons. Appends only; not thread-safe.
 */
public final class LongList extends AbstractList<Long> implements RandomAccess {
    private static final int CHUNK = 4096;

    private final List<long[]> chunks = new ArrayList<>();
    private int size;

    @Override
    public boolean add(Long value) {
        int at = size % CHUNK;
        if (at == 0) {
            chunks.add(new long[CHUNK]);
        }
        chunks.get(size / CHUNK)[at] = value;
        size++;
        modCount++;
        return true;
    }

    @Override
    public Long get(int i) {
        Objects.checkIndex(i, size);
        return chunks.get(i / CHUNK)[i % CHUNK];
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
