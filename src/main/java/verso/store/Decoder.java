package verso.store;

import java.io.IOException;
import java.io.InputStream;

/** Makes a decoded form of an object (a tree, a pack index) from its bytes as they stream in. */
@FunctionalInterface
public interface Decoder<T> {
    T decode(InputStream in) throws IOException;
}
