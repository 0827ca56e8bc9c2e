package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import verso.cli.VersoProcess.Result;

/** The launcher {@code scripts/verso}: the JVM it starts. */
final class LauncherIT {
    private static Result version(String javaOpts) throws Exception {
        Path repo = Path.of(System.getProperty("user.dir"));
        return VersoProcess.run(repo, List.of("env", "JAVA_OPTS=" + javaOpts, repo.resolve("scripts/verso").toString(),
                "--version"));
    }

    @Test
    void collector_isTheParallelOne_unlessJavaOptsNamesAnother() throws Exception {
        Result plain = version("-Xlog:gc:stdout");
        assertEquals(0, plain.exit(), plain.toString());
        assertTrue(plain.out().contains("Using Parallel"), plain.toString());
        for (String other : List.of("G1", "Serial")) {
            Result named = version("-XX:+Use" + other + "GC -Xlog:gc:stdout");
            assertEquals(0, named.exit(), named.toString());
            assertTrue(named.out().contains("Using " + other), named.toString());
        }
    }
}
