package verso.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

final class DaemonLauncherTest {
    @Test
    void archiveOptions_takesTheClassDataArchiveAndTheAheadOfTimeCache() {
        List<String> jvm = List.of("-Xmx64m", "-XX:SharedArchiveFile=/v/verso.jsa", "-Xlog:cds=off",
                "-XX:AOTCache=/v/verso-25.aot", "-Xlog:aot=off", "-XX:AOTCacheOutput=/tmp/x.aot", "-Dfoo=bar");
        assertEquals(List.of("-XX:SharedArchiveFile=/v/verso.jsa", "-Xlog:cds=off", "-XX:AOTCache=/v/verso-25.aot",
                "-Xlog:aot=off"), DaemonLauncher.archiveOptions(jvm));
    }
}
