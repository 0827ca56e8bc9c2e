package verso.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class DaemonFilesTest {
    @Test
    void in_namedAfterTheMountPoint_distinctForSameLastName() {
        DaemonFiles a = DaemonFiles.in(Path.of("/state"), Path.of("/data/mnt"));
        DaemonFiles b = DaemonFiles.in(Path.of("/state"), Path.of("/other/mnt"));
        assertTrue(a.pidFile().getFileName().toString().matches("mnt-[0-9a-f]{8}\\.pid"), a.toString());
        assertTrue(a.log().getFileName().toString().matches("mnt-[0-9a-f]{8}\\.log"), a.toString());
        assertNotEquals(a.pidFile(), b.pidFile());
        assertEquals(a, DaemonFiles.in(Path.of("/state"), Path.of("/data/mnt")));
        assertTrue(DaemonFiles.name(Path.of("/")).startsWith("root-"));
        assertTrue(DaemonFiles.name(Path.of("/x/a b;c")).startsWith("a_b_c-"));
    }
}
