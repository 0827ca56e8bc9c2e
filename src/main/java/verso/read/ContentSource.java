package verso.read;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
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
         * Reads up to {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its
         * position; returns the count read, which is less than asked only at the end of the file (0 at
         * or past it).
         */
        int read(long offset, ByteBuffer dst) throws IOException;
    }
}
