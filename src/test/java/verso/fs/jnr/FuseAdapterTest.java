package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import verso.fs.Errno;

final class FuseAdapterTest {

    @Test
    void errno_mapsEveryConstantToThePlatformCode() {
        for (Errno e : Errno.values()) {
            assertEquals(e.linux(), FuseAdapter.errno(e), e.name());
        }
    }
}
