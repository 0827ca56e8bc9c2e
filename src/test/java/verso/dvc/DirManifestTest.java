package verso.dvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DirManifestTest {
    private static final String A = "3b0be6a0767165ff41569bed711a08fc";

    private static DirManifest parse(String json) throws DvcException {
        return DirManifest.parse(json.getBytes(StandardCharsets.UTF_8), "commit abc1234: datasets");
    }

    private static String entry(String relpath) {
        return "{\"md5\": \"" + A + "\", \"relpath\": \"" + relpath + "\"}";
    }

    @Test
    void parse_dvcManifest() throws Exception {
        DirManifest m = parse("[" + entry("a.npz") + ", {\"isexec\": true, \"md5\": \"" + A
                + "\", \"relpath\": \"sub/b.npz\", \"size\": 3}]");
        assertEquals(List.of(new DirManifest.Entry("a.npz", A, false), new DirManifest.Entry("sub/b.npz", A, true)),
                m.entries());
        assertEquals(List.of(), parse("[]").entries());
    }

    @Test
    void parse_hostileRelpaths_refused() {
        for (String rel : List.of("../x", "/etc/passwd", "a//b", "a/./b", "./a", "a/..", "", "a/")) {
            DvcException e = assertThrows(DvcException.class, () -> parse("[" + entry(rel) + "]"), rel);
            assertTrue(e.getMessage().startsWith("commit abc1234: datasets: directory manifest names relpath '"),
                    e.getMessage());
        }
    }

    @Test
    void parse_conflicts_refused() {
        assertThrows(DvcException.class, () -> parse("[" + entry("a") + ", " + entry("a") + "]"));
        DvcException e = assertThrows(DvcException.class, () -> parse("[" + entry("a") + ", " + entry("a/b") + "]"));
        assertTrue(e.getMessage().contains("a both as a file and as a folder"), e.getMessage());
    }

    @Test
    void parse_malformed_refused() {
        for (String json : List.of("{}", "[", "[1]", "[{\"relpath\": \"a\"}]", "[{\"md5\": \"" + A + "\"}]",
                "[{\"md5\": \"zz\", \"relpath\": \"a\"}]", "[] []")) {
            assertThrows(DvcException.class, () -> parse(json), json);
        }
    }
}
