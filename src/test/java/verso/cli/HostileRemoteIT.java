package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static verso.cli.HostileObjects.chunked;
import static verso.cli.HostileObjects.dir;
import static verso.cli.HostileObjects.file;
import static verso.cli.HostileObjects.symlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import verso.cli.VersoProcess.Result;
import verso.remote.S3Remote;
import verso.testing.S3Server;

/**
 * A remote written by someone else: every object below is built by hand under its true id (so it
 * passes every hash check) and says something a verso would never write. The real CLI, in a JVM with
 * a small heap, must refuse it with one {@code verso: ...} line and exit 1 (never an internal error,
 * a hang or a crash), and write nothing outside the workspace. Each case has its own directory
 * remote ({@code remote/} beside the project, so {@code ../escaped} from the project is outside it);
 * one test puts two of the cases on the S3 server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class HostileRemoteIT {
    private static final String BUCKET = "hostile";
    /** Far below what a remote can make verso hold if it is not careful. */
    private static final String HEAP = "-Xmx160m";

    @TempDir
    static Path template;
    private static S3Server s3;

    @TempDir
    Path dir;
    Path project;
    Path escaped;
    HostileObjects remote;
    String blob;

    @BeforeAll
    static void createTemplate() throws Exception {
        Files.createDirectories(template.resolve("project"));
        assertEquals(0, VersoProcess.verso(template.resolve("project"), "init").exit());
        assertEquals(0, VersoProcess.verso(template.resolve("project"), "remote", "add", "hostile", "../remote",
                "--default").exit());
        s3 = S3Server.start().createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        s3.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        project = dir.resolve("project");
        try (Stream<Path> files = Files.walk(template.resolve("project"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = project.resolve(template.resolve("project").relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        escaped = Files.createDirectories(dir.resolve("escaped"));
        remote = HostileObjects.directory(Files.createDirectories(dir.resolve("remote")));
        blob = remote.object("hello");
    }

    private Result verso(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(VersoProcess.versoCommand(args));
        cmd.add(1, HEAP);
        return VersoProcess.run(project, cmd, s3.environment(), Duration.ofSeconds(90));
    }

    /** The command fails with one line naming {@code expected}, and nothing appeared outside the workspace. */
    private Result refused(String expected, String... args) throws Exception {
        Result r = verso(args);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().startsWith("verso: ") && r.err().contains(expected), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertNothingEscaped();
        return r;
    }

    private void assertNothingEscaped() throws IOException {
        try (Stream<Path> s = Files.list(escaped)) {
            assertEquals(List.of(), s.toList());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("escaped", "project", "remote"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A version tracking {@code data}, a directory of the given entries. */
    private String dataVersion(String... entries) throws IOException {
        return remote.version(null, List.of(dir("path", "data", remote.tree(List.of(entries)))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/b", "a\0b", ""})
    void treeEntryName_notOneSegment_isRefused(String name) throws Exception {
        String v = dataVersion(file("name", "ok", 5, blob), file("name", name, 5, blob));
        refused("corrupt object", "pull", v);
        assertFalse(Files.exists(project.resolve("data")));
    }

    @Test
    void treeEntries_duplicateOrUnsorted_areRefused() throws Exception {
        refused("not sorted or not unique", "pull", dataVersion(file("name", "a", 5, blob), file("name", "a", 5, blob)));
        refused("not sorted or not unique", "pull", dataVersion(file("name", "b", 5, blob), file("name", "a", 5, blob)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ABSOLUTE/x", "../escaped/x", "data/../../escaped/x", "data//x", "data/./x", "data/"})
    void versionPath_outsideOrNotNormal_isRefused(String path) throws Exception {
        String p = path.replace("ABSOLUTE", escaped.toString());
        refused("invalid tracked path", "pull", remote.version(null, List.of(file("path", p, 5, blob))));
    }

    @Test
    void symlinkOutOfTheWorkspace_isCheckedOutAsRecorded_andNothingIsWrittenThroughIt() throws Exception {
        String v = dataVersion(symlink("name", "up", "../../escaped"), file("name", "x", 5, blob));
        Result r = verso("pull", v);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("../../escaped", Files.readSymbolicLink(project.resolve("data/up")).toString());
        assertNothingEscaped();
    }


    @ParameterizedTest
    @ValueSource(strings = {"-1", "9223372036854775808", "1e3", "\"5\""})
    void size_negativeOrOutOfRangeOrNotAnInteger_isRefused(String size) throws Exception {
        String entry = file("name", "f", 5, blob).replace("\"size\":5", "\"size\":" + size);
        refused("size", "pull", dataVersion(entry));
    }

    @Test
    void size_largerThanTheBlob_isRefusedAtCheckout() throws Exception {
        refused("do not match the 1000", "pull", dataVersion(file("name", "f", 1000, blob)));
        assertFalse(Files.exists(project.resolve("data/f")));
    }





    @Test
    void versionRecord_notMatchingItsName_orNamingItselfAsParent_isRefused() throws Exception {
        String v = dataVersion(file("name", "f", 5, blob));
        Path record = dir.resolve("remote/versions/" + v);
        Files.writeString(record, Files.readString(record).replace("\"parent\":null", "\"parent\":\"" + v + "\""));
        refused("does not hash to its name", "pull", v);
    }

    @Test
    void versionWithAMissingParent_isPulled() throws Exception {
        Result r = verso("pull", remote.version("cd".repeat(32), List.of(file("path", "f", 5, blob))));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello", Files.readString(project.resolve("f")));
    }

    @Test
    void objectNotMatchingItsId_isRefused_andNotCached() throws Exception {
        String tree = remote.tree(List.of(file("name", "f", 5, blob)));
        Path stored = dir.resolve("remote/objects/" + tree.substring(0, 2) + "/" + tree.substring(2));
        Files.writeString(stored, Files.readString(stored).replace("\"f\"", "\"g\""));
        refused("corrupt", "pull", remote.version(null, List.of(dir("path", "data", tree))));
        assertFalse(Files.exists(project.resolve(".verso/cache/objects/" + tree.substring(0, 2) + "/"
                + tree.substring(2))));
    }

    @Test
    void tagNamesWithSlashesOrDots_areNotCopied_andNothingIsWrittenOutside() throws Exception {
        String v = dataVersion(file("name", "f", 5, blob));
        Path tags = Files.createDirectories(dir.resolve("remote/tags"));
        for (String name : List.of("good", "..x", "a\\b", "-rf")) {
            Files.writeString(tags.resolve(name), v + "\n");
        }
        Files.writeString(Files.createDirectories(tags.resolve("sub")).resolve("x"), v + "\n");
        Result r = verso("pull", "good");
        assertEquals(0, r.exit(), r.toString());
        try (Stream<Path> s = Files.list(project.resolve(".verso/tags"))) {
            assertEquals(List.of("good"), s.map(p -> p.getFileName().toString()).toList());
        }
        Result verify = verso("verify", "--remote", "hostile");
        assertEquals(0, verify.exit(), verify.toString());
        assertNothingEscaped();
    }

    @Test
    void trackedPathsThatNest_symlinkThenFileBelowIt_areRefused() throws Exception {
        String v = remote.version(null, List.of(symlink("path", "d", "../escaped"), file("path", "d/x", 5, blob)));
        refused("nest", "pull", v);
        assertFalse(Files.exists(project.resolve("d"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void blockLongerThanItsIndexSays_isRefused_neverWritten() throws Exception {
        byte[] first = new byte[4096];
        Arrays.fill(first, (byte) 1);
        byte[] tooLong = new byte[8192];
        String index = remote.blocks(4096, 4096 + 10, List.of(remote.object(first), remote.object(tooLong)));
        refused("8192 bytes do not match the 10 ", "pull", dataVersion(chunked("name", "big", 4096 + 10, index)));
        assertFalse(Files.exists(project.resolve("data/big")));
    }

    @Test
    void treesNested100000Deep_areRefused_notAStackOverflow() throws Exception {
        String tree = remote.tree(List.of());
        for (int i = 0; i < 100_000; i++) {
            tree = remote.tree(List.of(dir("name", "d", tree)));
        }
        refused("nested deeper than 1024 levels", "pull", remote.version(null, List.of(dir("path", "data", tree))));
        assertTrue(refused("1 problem", "verify").out().contains("nested deeper than 1024 levels"));
    }

    @Test
    void blockIndexOfMillionsOfEntries_largerThanTheHeap_isOneLine() throws Exception {
        int blocks = 3_000_000;
        byte[] head = ("{\"format\":1,\"kind\":\"blocks\",\"blockSize\":4096,\"size\":" + (long) blocks * 4096
                + ",\"blocks\":[").getBytes(StandardCharsets.US_ASCII);
        byte[] id = (",\"" + "ab".repeat(32) + "\"").getBytes(StandardCharsets.US_ASCII);
        byte[] json = new byte[head.length + blocks * id.length + 2];
        System.arraycopy(head, 0, json, 0, head.length);
        for (int i = 0; i < blocks; i++) {
            System.arraycopy(id, 0, json, head.length + i * id.length, id.length);
        }
        json[head.length] = ' '; // the first id has no comma before it
        json[json.length - 2] = ']';
        json[json.length - 1] = '}';
        String index = remote.object(json);
        refused("out of memory", "pull", dataVersion(chunked("name", "huge", (long) blocks * 4096, index)));
    }

    @Test
    void s3_treeNameDotDot_andBlockLongerThanItsIndex_areRefused() throws Exception {
        S3Remote raw = s3.remote(BUCKET, "cache/");
        HostileObjects onS3 = new HostileObjects(raw::put);
        String s3blob = onS3.object("hello");
        String dotDot = onS3.version(null, List.of(dir("path", "data",
                onS3.tree(List.of(file("name", "..", 5, s3blob))))));
        byte[] tooLong = new byte[8192];
        String index = onS3.blocks(4096, 4096 + 10, List.of(onS3.object(new byte[4096]), onS3.object(tooLong)));
        String longBlock = onS3.version(null, List.of(chunked("path", "big", 4096 + 10, index)));
        assertEquals(0, verso("remote", "add", "s3", "s3://" + BUCKET + "/cache", "--default").exit());
        refused("corrupt object", "pull", dotDot);
        refused("8192 bytes do not match the 10 ", "pull", longBlock);
        assertFalse(Files.exists(project.resolve("big")));
        String verify = verso("verify", "--remote", "s3").out();
        assertTrue(verify.contains(dotDot.substring(0, 10)), verify);
    }
}
