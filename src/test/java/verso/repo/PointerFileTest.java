package verso.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.Hashing;
import verso.store.ObjectId;
import verso.store.TreeEntry;

final class PointerFileTest {
    @TempDir
    Path dir;

    @Test
    void writeRead_roundTripsEveryKind() throws IOException {
        ObjectId id = Hashing.hash(new byte[] {1});
        Files.createDirectories(dir.resolve("sub"));
        for (PointerFile pf : List.of(new PointerFile(TreeEntry.dir("datasets", 10, 2, id), null),
                new PointerFile(TreeEntry.file("sub/big.bin", 1 << 30, true, id, true), id),
                new PointerFile(TreeEntry.symlink("link", "target"), id))) {
            pf.write(dir);
            assertEquals(pf, PointerFile.read(dir, pf.path()));
        }
        String text = Files.readString(dir.resolve("datasets.verso"));
        assertTrue(text.contains("\"path\" : \"datasets\"") && text.contains("\"version\" : null"), text);
    }

    @Test
    void encode_isTheFormatCommittedToGit() {
        ObjectId id = Hashing.hash(new byte[] {1});
        PointerFile pf = new PointerFile(TreeEntry.file("sub/big.bin", 1L << 30, true, id, true), null);
        assertEquals("""
                {
                  "verso" : 1,
                  "path" : "big.bin",
                  "type" : "file",
                  "id" : "%s",
                  "chunked" : true,
                  "executable" : true,
                  "size" : 1073741824,
                  "files" : 1,
                  "version" : null
                }
                """.formatted(id.hex()), new String(pf.encode(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void read_malformed_isUserError() throws IOException {
        for (String text : new String[] {"{\"verso\":1,\"type\":\"dir\",\"id\":\"nothex\"}", "{\"verso\":1,\"type\":\"file\"}",
                "{\"type\":\"dir\"}", "[]", "{\"verso\":1", "{\"verso\":1,\"type\":\"disk\"}"}) {
            Files.writeString(dir.resolve("x.verso"), text);
            RepoException e = assertThrows(RepoException.class, () -> PointerFile.read(dir, "x"), text);
            assertTrue(e.getMessage().contains("git checkout"), e.getMessage());
        }
    }

    @Test
    void findTracked_prunesGitVersoAndTrackedDirectories() throws IOException {
        ObjectId id = Hashing.hash(new byte[] {1});
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve(".git"));
        Files.createDirectories(dir.resolve("a/b"));
        new PointerFile(TreeEntry.dir("data", 0, 0, id), null).write(dir);
        new PointerFile(TreeEntry.dir("a/b", 0, 0, id), null).write(dir);
        Files.writeString(dir.resolve("data/inner.verso"), "{}");
        Files.writeString(dir.resolve(".git/x.verso"), "{}");
        assertEquals(List.of("a/b", "data"), PointerFile.findTracked(dir));
    }
}
