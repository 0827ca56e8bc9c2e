package verso.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import verso.cache.Block;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * What the mount needs from a repository: decoded trees and readable file content, wherever the
 * objects are (local cache, else a remote). Every byte returned has been verified against its id.
 */
public interface ContentSource {

    /** The tree with this id, verified and decoded. */
    Tree tree(ObjectId id) throws IOException;

    /** Opens a file entry ({@code type == FILE}) for positional reads. */
    OpenFile open(TreeEntry file) throws IOException;

    /** An open file. Thread-safe: the kernel may issue reads of one handle concurrently. */
    interface OpenFile extends Closeable {
        /**
         * Hands {@code out} the bytes at {@code offset}, up to {@code length}, in order, as ranges of
         * verified blocks, each range with a hold of its own on its block that {@code out} lets go of
         * once it has used the bytes; returns the count handed over, less than asked only at the end of
         * the file (0 at or past it). The bytes are not copied: a caller that writes them out (the FUSE
         * reply) reads them from the blocks themselves. If the read fails, the ranges handed over
         * before the failure are still {@code out}'s to let go of.
         */
        int read(long offset, int length, Ranges out) throws IOException;

        /**
         * Copies up to {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its
         * position; returns the count read, which is less than asked only at the end of the file (0 at
         * or past it).
         */
        default int read(long offset, ByteBuffer dst) throws IOException {
            return read(offset, dst.remaining(), copyTo(dst));
        }
    }

    /** Ranges copied into {@code dst} at its position, which advances, each block let go of once copied. */
    static Ranges copyTo(ByteBuffer dst) {
        return (block, from, count) -> {
            try {
                dst.put(dst.position(), block.bytes(), from, count).position(dst.position() + count);
            } finally {
                block.release();
            }
        };
    }

    /**
     * Receives the bytes of a read a range at a time: {@code length} bytes of {@code block} from
     * {@code from}, the block held once for the receiver.
     */
    @FunctionalInterface
    interface Ranges {
        void add(Block block, int from, int length);
    }
}
