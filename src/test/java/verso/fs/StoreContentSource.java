package verso.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import verso.cache.Block;
import verso.read.ContentSource;
import verso.store.BlockIndex;
import verso.store.ObjectId;
import verso.store.ObjectStore;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * A content source over a local object store, for tests of the filesystem without the real block
 * reader: blobs are verified when opened, chunked files are read block by block from their blobs.
 */
public final class StoreContentSource implements ContentSource {
    private final ObjectStore store;
    public final AtomicInteger open = new AtomicInteger();
    public final AtomicInteger treeLoads = new AtomicInteger();

    public StoreContentSource(ObjectStore store) {
        this.store = store;
    }

    @Override
    public Tree tree(ObjectId id) throws IOException {
        treeLoads.incrementAndGet();
        return Tree.decode(id, store.read(id));
    }

    @Override
    public OpenFile open(TreeEntry file) throws IOException {
        ObjectId[] blocks;
        int blockSize;
        if (file.chunked()) {
            BlockIndex index = BlockIndex.decode(file.id(), store.read(file.id()));
            blocks = index.blocks().toArray(ObjectId[]::new);
            blockSize = index.blockSize();
        } else {
            blocks = new ObjectId[] {file.id()};
            blockSize = (int) Math.max(1, file.size());
        }
        for (ObjectId b : blocks) {
            store.verify(b);
        }
        open.incrementAndGet();
        long size = file.size();
        return new OpenFile() {
            @Override
            public int read(long offset, int length, Ranges out) throws IOException {
                int done = 0;
                while (done < length && offset + done < size) {
                    long pos = offset + done;
                    int b = (int) (pos / blockSize);
                    long within = pos - (long) b * blockSize;
                    int want = (int) Math.min(length - done, Math.min(blockSize - within, size - pos));
                    byte[] block = store.read(blocks[b]);
                    if (block.length < within + want) {
                        throw new IOException("block " + b + " is shorter than recorded");
                    }
                    out.add(Block.of(ByteBuffer.wrap(block, (int) within, want).slice()), 0, want);
                    done += want;
                }
                return done;
            }

            @Override
            public void close() {
                open.decrementAndGet();
            }
        };
    }
}
