package verso.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class MountTableTest {

    @Test
    void parse_fuseLine_readsPointTypeAndOptions() {
        MountTable.Mount m = MountTable.parse(
                "812 29 0:61 / /mnt/my\\040data rw,nosuid,nodev,relatime shared:400 - fuse.verso verso ro,user_id=0");
        assertEquals(Path.of("/mnt/my data"), m.mountPoint());
        assertEquals("fuse.verso", m.fsType());
        assertEquals("verso", m.source());
        assertFalse(m.readOnly());
        assertTrue(MountTable.parse("22 1 8:1 / / ro,relatime - ext4 /dev/sda1 rw").readOnly());
    }

    @Test
    void parse_malformedLine_isNull() {
        assertNull(MountTable.parse("not a mount line"));
    }

    @Test
    void unescape_keepsNonEscapes() {
        assertEquals("a\tb\\x", MountTable.unescape("a\\011b\\x"));
    }

    @Test
    void find_root_isMounted() throws Exception {
        assertTrue(MountTable.find(Path.of("/")).isPresent());
        assertTrue(MountTable.answers(Path.of("/"), Duration.ofSeconds(5)));
    }

    @Test
    void mountOptions_alwaysReadOnlyWithStableName() {
        String o = MountOptions.defaults().withAllowOther(true).optionString();
        assertTrue(o.startsWith("ro,") && o.contains("fsname=verso") && o.contains("subtype=verso")
                && o.endsWith("allow_other"), o);
        assertThrows(IllegalArgumentException.class,
                () -> new MountOptions(false, Duration.ofSeconds(1), List.of("a,b")));
    }
}
