package verso.repo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import verso.store.BlockIndex;
import verso.store.FileInserter.FileContent;
import verso.store.Hashing;
import verso.store.ObjectId;

/**
 * Computes the id a file would have in the store without storing anything (for status, diff and
 * checkout's safety check): the blob id of a file of at most one block, else the id of its block
 * index. Streams with a small buffer, so memory does not depend on the file's size.
 */
final class ContentHasher {
    private static final int BUFFER = 1 << 20;
    private final int blockSize;

    ContentHasher(int blockSize) {
        this.blockSize = blockSize;
    }

    FileContent hash(Path file, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(size, 1)));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            List<ObjectId> blocks = new ArrayList<>();
            long offset = 0;
            do {
                long blockEnd = Math.min(size, offset + blockSize);
                MessageDigest md = Hashing.sha256();
                while (offset < blockEnd) {
                    buf.clear().limit((int) Math.min(buf.capacity(), blockEnd - offset));
                    int n = ch.read(buf, offset);
                    if (n < 0) {
                        throw new IOException(file + " shrank while it was being read; run the command again");
                    }
                    md.update(buf.array(), 0, n);
                    offset += n;
                }
                blocks.add(ObjectId.fromBytes(md.digest()));
            } while (offset < size);
            if (ch.size() != size) {
                throw new IOException(file + " changed size while it was being read; run the command again");
            }
            if (size <= blockSize) {
                return new FileContent(blocks.get(0), false, size);
            }
            return new FileContent(Hashing.hash(new BlockIndex(blockSize, size, blocks).encode()), true, size);
        }
    }
}
