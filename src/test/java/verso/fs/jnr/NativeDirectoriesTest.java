package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.repo.Directories;
import verso.repo.FileStat;

class NativeDirectoriesTest {
    @TempDir
    Path dir;

    @Test
    void listsAndStatsEveryKindOfEntry_exactlyAsTheJdk() throws Exception {
        assertTrue(NativeDirectories.used(), "the build's tests run on Linux with UTF-8 file names");
        Files.writeString(dir.resolve("a"), "alpha");
        Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve("sub"));
        Files.createSymbolicLink(dir.resolve("link"), Path.of("a"));
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("nowhere"));
        assertEquals(0, new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).start().waitFor());
        for (String n : List.of(".hidden", "..x", "é — 日本.txt", "x".repeat(255))) {
            Files.writeString(dir.resolve(n), n);
        }
        for (int i = 0; i < 3000; i++) { // more than one getdents64 call's worth of entries
            Files.writeString(dir.resolve("many-" + i), Integer.toString(i));
        }

        Set<String> expected = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> expected.add(p.getFileName().toString()));
        }
        List<String> names = new ArrayList<>();
        try (Directories.Open open = NativeDirectories.create().open(dir)) {
            open.names(names::add);
            assertEquals(expected.size(), names.size(), "each entry once, without . and ..");
            assertEquals(expected, new TreeSet<>(names));
            for (String n : names) {
                FileStat jdk = FileStat.of(Files.readAttributes(dir.resolve(n), PosixFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS));
                assertEquals(jdk, open.lstat(n), n);
            }
            assertEquals(FileStat.Kind.OTHER, open.lstat("pipe").kind());
            assertEquals(FileStat.Kind.SYMLINK, open.lstat("dangling").kind());
            assertTrue(open.lstat("run.sh").executable());
            assertNull(open.lstat("missing"));
            Files.delete(dir.resolve("a"));
            assertNull(open.lstat("a"), "gone since the listing");
        }
    }

    @Test
    void openingWhatIsNotADirectory_failsAsTheJdkDoes() throws IOException {
        Directories d = NativeDirectories.create();
        assertThrows(NoSuchFileException.class, () -> d.open(dir.resolve("missing")));
        Files.writeString(dir.resolve("f"), "f");
        assertThrows(NotDirectoryException.class, () -> d.open(dir.resolve("f")));
    }
}
