package verso.remote;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Remote} contract, run against every implementation by a subclass each. */
abstract class RemoteContractTest {
    protected Remote remote;
    @TempDir
    Path tmp;

    /** A fresh, empty remote. */
    protected abstract Remote newRemote() throws Exception;

    @BeforeEach
    void open() throws Exception {
        remote = newRemote();
    }

    @AfterEach
    void closeRemote() throws IOException {
        remote.close();
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] read(String key, long offset, long length) throws IOException {
        try (InputStream in = remote.get(key, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void put_thenGetReturnsTheBytes() throws IOException {
        byte[] data = random(10_000, 1);
        remote.put("objects/ab/cdef", data);
        assertArrayEquals(data, remote.getBytes("objects/ab/cdef"));
        assertArrayEquals(data, read("objects/ab/cdef", 0, -1));
    }

    @Test
    void putFile_thenGetReturnsTheContent() throws IOException {
        byte[] data = random(3 << 20, 2);
        Path file = Files.write(tmp.resolve("f"), data);
        remote.put("objects/12/3456", file);
        assertArrayEquals(data, remote.getBytes("objects/12/3456"));
        assertEquals(data.length, remote.size("objects/12/3456"));
    }

    @Test
    void put_emptyValueRoundTrips() throws IOException {
        remote.put("tags/empty", new byte[0]);
        assertEquals(0, remote.size("tags/empty"));
        assertArrayEquals(new byte[0], remote.getBytes("tags/empty"));
        assertArrayEquals(new byte[0], read("tags/empty", 0, 10));
    }

    @Test
    void put_thenGet_keysWithCharactersThatNeedEscaping() throws IOException {
        for (String key : List.of("tags/v 1 (final)", "tags/données-è", "tags/a+b=c&d?e#f%20g", "tags/~x!y*z'")) {
            byte[] data = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            remote.put(key, data);
            assertArrayEquals(data, remote.getBytes(key), key);
            assertArrayEquals(Arrays.copyOfRange(data, 2, 5), read(key, 2, 3), key);
        }
    }

    @Test
    void get_rangeReturnsExactlyThoseBytes() throws IOException {
        byte[] data = random(100_000, 3);
        remote.put("objects/aa/range", data);
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 1500), read("objects/aa/range", 1000, 500));
        assertArrayEquals(Arrays.copyOfRange(data, 0, 1), read("objects/aa/range", 0, 1));
        assertArrayEquals(Arrays.copyOfRange(data, 99_000, 100_000), read("objects/aa/range", 99_000, -1));
        assertArrayEquals(new byte[0], read("objects/aa/range", 10, 0));
    }

    @Test
    void get_rangePastTheEndIsCutAtTheEnd() throws IOException {
        byte[] data = random(5000, 4);
        remote.put("objects/aa/end", data);
        assertArrayEquals(Arrays.copyOfRange(data, 4000, 5000), read("objects/aa/end", 4000, 10_000));
        assertArrayEquals(new byte[0], read("objects/aa/end", 5000, 100));
        assertArrayEquals(new byte[0], read("objects/aa/end", 9000, 100));
        assertArrayEquals(new byte[0], read("objects/aa/end", 9000, -1));
    }

    @Test
    void get_missingKeyIsNotFound() {
        assertThrows(RemoteNotFoundException.class, () -> remote.get("objects/00/missing", 0, -1));
        assertThrows(RemoteNotFoundException.class, () -> remote.get("objects/00/missing", 10, 5));
        assertThrows(RemoteNotFoundException.class, () -> remote.get("objects/00/missing", 0, 0));
        assertThrows(RemoteNotFoundException.class, () -> remote.getBytes("versions/missing"));
    }

    @Test
    void size_ofMissingKeyIsNotFound() throws IOException {
        remote.put("tags/v1", "abc\n".getBytes(UTF_8));
        assertEquals(4, remote.size("tags/v1"));
        assertThrows(RemoteNotFoundException.class, () -> remote.size("tags/v2"));
    }

    @Test
    void exists_followsPutAndDelete() throws IOException {
        assertFalse(remote.exists("versions/x"));
        remote.put("versions/x", new byte[] {1});
        assertTrue(remote.exists("versions/x"));
        remote.delete("versions/x");
        assertFalse(remote.exists("versions/x"));
    }

    @Test
    void delete_ofMissingKeyIsHarmless() throws IOException {
        remote.delete("objects/ff/never");
        remote.put("objects/ff/once", new byte[] {1});
        remote.delete("objects/ff/once");
        remote.delete("objects/ff/once");
        assertFalse(remote.exists("objects/ff/once"));
    }

    @Test
    void list_visitsExactlyTheKeysWithThePrefix() throws IOException {
        List<String> keys = List.of("objects/ab/c1", "objects/ab/c2", "objects/ac/d1", "versions/v1",
                "versions/v2", "tags/main");
        for (String k : keys) {
            remote.put(k, k.getBytes(UTF_8));
        }
        assertEquals(new TreeSet<>(keys), listed(""));
        assertEquals(Set.of("objects/ab/c1", "objects/ab/c2", "objects/ac/d1"), listed("objects/"));
        assertEquals(Set.of("objects/ab/c1", "objects/ab/c2"), listed("objects/ab/"));
        assertEquals(Set.of("objects/ab/c1", "objects/ab/c2", "objects/ac/d1"), listed("objects/a"));
        assertEquals(Set.of("versions/v1", "versions/v2"), listed("versions/"));
        assertEquals(Set.of("tags/main"), listed("tags/m"));
        assertEquals(Set.of(), listed("nothing/"));
    }

    private Set<String> listed(String prefix) throws IOException {
        Set<String> seen = new TreeSet<>();
        remote.list(prefix, f -> assertTrue(seen.add(f.key()), "listed twice: " + f.key()));
        return seen;
    }

    @Test
    void list_givesEachKeysSizeAndTimeOfWriting() throws IOException {
        Instant before = Instant.now().minusSeconds(60);
        remote.put("objects/aa/one", random(1234, 1));
        Path file = tmp.resolve("two");
        Files.write(file, random(70_000, 2));
        remote.put("objects/aa/two", file);
        List<RemoteFile> files = new ArrayList<>();
        remote.list("objects/", files::add);
        files.sort(Comparator.comparing(RemoteFile::key));
        assertEquals(List.of("objects/aa/one", "objects/aa/two"), files.stream().map(RemoteFile::key).toList());
        assertEquals(List.of(1234L, 70_000L), files.stream().map(RemoteFile::size).toList());
        Instant after = Instant.now().plusSeconds(60);
        for (RemoteFile f : files) {
            assertTrue(f.modified().isAfter(before) && f.modified().isBefore(after), f.toString());
        }
    }

    @Test
    void put_sameKeyTwiceIsHarmlessAndLastValueWins() throws IOException {
        byte[] data = random(2000, 5);
        remote.put("objects/ee/same", data);
        remote.put("objects/ee/same", data);
        assertArrayEquals(data, remote.getBytes("objects/ee/same"));
        remote.put("tags/moving", "one\n".getBytes(UTF_8));
        remote.put("tags/moving", "two\n".getBytes(UTF_8));
        assertEquals("two\n", new String(remote.getBytes("tags/moving"), UTF_8));
        assertEquals(Set.of("objects/ee/same", "tags/moving"), listed(""));
    }

    @Test
    void putAndGet_concurrentlyFromManyThreads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        String key = "objects/" + thread + i + "/k";
                        byte[] data = random(1000 + i * 100, thread * 100L + i);
                        remote.put(key, data);
                        remote.put("tags/shared", data); // many writers of one key: each put stays whole
                        assertArrayEquals(data, remote.getBytes(key));
                        assertArrayEquals(Arrays.copyOfRange(data, 10, 60), read(key, 10, 50));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int[] count = {0};
        remote.list("objects/", k -> count[0]++);
        assertEquals(8 * 15, count[0]);
        int shared = remote.getBytes("tags/shared").length;
        assertTrue(shared >= 1000 && shared <= 2400 && (shared - 1000) % 100 == 0, "torn value of " + shared);
    }
}
