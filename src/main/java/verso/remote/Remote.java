package verso.remote;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import verso.store.Decoder;

/**
 * A store of immutable values by key, such as {@code objects/ab/cdef...}, {@code versions/<id>},
 * {@code tags/<name>}. Keys are relative, use {@code /}, and never start with it.
 *
 * <p>Contracts every implementation keeps (one contract test suite checks them all):
 * <ul>
 *   <li>A missing key is reported as {@link RemoteNotFoundException}, never as another error.</li>
 *   <li>A failure that may pass on retry (network, throttling, 5xx) is a
 *       {@link RemoteRetryableException}; anything else (credentials, missing bucket) is a plain
 *       {@link RemoteException} and is not retried.</li>
 *   <li>{@code put} is atomic and idempotent: readers see the whole value or nothing, and putting the
 *       same key twice is harmless.</li>
 *   <li>{@code get} with a range returns exactly the bytes asked for (fewer only at the end of the value).</li>
 *   <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface Remote extends Closeable {

    /**
     * Streams {@code length} bytes from {@code offset} ({@code length < 0}: to the end); an offset at or
     * past the end gives an empty stream. The caller closes it. A failure while reading the stream is a
     * {@link RemoteRetryableException} for the caller to handle: wrappers retry only opening it.
     */
    InputStream get(String key, long offset, long length) throws IOException;

    /**
     * The whole value of a key, made by {@code reader} as it streams in, so that a large value (a pack
     * index of 100,000 objects) is never held as bytes beside what is made of it. Wrappers that retry
     * repeat the whole read, so {@code reader} must start afresh on each call.
     */
    default <T> T read(String key, Decoder<T> reader) throws IOException {
        try (InputStream in = get(key, 0, -1)) {
            return reader.decode(in);
        }
    }

    /** The whole value of a small key (a version, a tag, a block). */
    default byte[] getBytes(String key) throws IOException {
        return read(key, InputStream::readAllBytes);
    }

    /** Stores a value from memory. */
    void put(String key, byte[] data) throws IOException;

    /** Stores a file's content (large values may be uploaded in parts). */
    void put(String key, Path file) throws IOException;

    boolean exists(String key) throws IOException;

    /** The size of a value in bytes; {@link RemoteNotFoundException} if absent. */
    long size(String key) throws IOException;

    /**
     * Visits every key starting with {@code prefix}, with its size and time of writing, in no particular
     * order, without holding them all.
     */
    void list(String prefix, Consumer<RemoteFile> file) throws IOException;

    /** Deletes a key; deleting a missing key is not an error. */
    void delete(String key) throws IOException;

    /** A human-readable location, such as {@code s3://bucket/prefix} or a directory path. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
