package verso.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class CodecTest {
    private static final ObjectId A = Hashing.hash("a".getBytes(StandardCharsets.UTF_8));
    private static final ObjectId B = Hashing.hash("b".getBytes(StandardCharsets.UTF_8));

    @Test
    void objectId_roundTripsThroughHex() {
        assertEquals(A, ObjectId.fromHex(A.hex()));
        assertEquals("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", A.hex());
        assertEquals("ca/978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", A.fanoutPath());
        assertThrows(IllegalArgumentException.class, () -> ObjectId.fromHex(A.hex().toUpperCase()));
        assertThrows(IllegalArgumentException.class, () -> ObjectId.fromHex("abc"));
    }

    @Test
    void objectId_parseHex_checksEveryDigit() {
        assertEquals(A, ObjectId.parseHex(A.hex()));
        String hex = A.hex();
        for (int i = 0; i < hex.length(); i++) {
            for (char bad : new char[] {'g', 'A', 'F', '/', ':', '`', ' ', '\u00e9', '\u0130'}) {
                String s = hex.substring(0, i) + bad + hex.substring(i + 1);
                assertNull(ObjectId.parseHex(s), s);
                assertThrows(IllegalArgumentException.class, () -> ObjectId.fromHex(s));
            }
        }
        assertNull(ObjectId.parseHex(hex + "0"));
        assertNull(ObjectId.parseHex(hex.substring(1)));
        assertNull(ObjectId.parseHex(null));
        assertEquals(ObjectId.fromBytes(new byte[32]), ObjectId.parseHex("0".repeat(64)));
    }

    @Test
    void tree_encodingIsCanonicalWhateverTheInputOrder() {
        TreeEntry f = TreeEntry.file("b.npz", 10, false, A, false);
        TreeEntry d = TreeEntry.dir("a", 20, 3, B);
        TreeEntry s = TreeEntry.symlink("c", "b.npz");
        Tree t1 = Tree.of(List.of(f, d, s));
        Tree t2 = Tree.of(List.of(s, f, d));
        assertArrayEquals(t1.encode(), t2.encode());
        assertEquals(List.of("a", "b.npz", "c"), t1.entries().stream().map(TreeEntry::name).toList());
    }

    @Test
    void tree_decodeRoundTrips() throws Exception {
        Tree t = Tree.of(List.of(TreeEntry.file("x", 5_000_000, true, A, true), TreeEntry.symlink("l", "../x"),
                TreeEntry.dir("é", 0, 0, B)));
        byte[] bytes = t.encode();
        assertEquals(t, Tree.decode(Hashing.hash(bytes), bytes));
        assertEquals(TreeEntry.symlink("l", "../x"), t.find("l"));
        assertNull(t.find("nope"));
    }

    @Test
    void tree_sortsByUtf8Bytes() {
        Tree t = Tree.of(List.of(TreeEntry.symlink("é", "x"), TreeEntry.symlink("z", "x"), TreeEntry.symlink("Z", "x")));
        assertEquals(List.of("Z", "z", "é"), t.entries().stream().map(TreeEntry::name).toList());
    }

    @Test
    void tree_decodeRefusesMaliciousNames() {
        for (String bad : new String[] {"..", ".", "a/b", "", "x\u0000y", "/etc"}) {
            String json = "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"" + bad.replace("\u0000", "\\u0000")
                    + "\",\"type\":\"file\",\"size\":1,\"executable\":false,\"blob\":\"" + A.hex() + "\"}]}";
            assertThrows(CorruptObjectException.class, () -> Tree.decode(null, json.getBytes(StandardCharsets.UTF_8)),
                    "name '" + bad + "'");
        }
    }

    @Test
    void tree_decodeRefusesUnsortedOrDuplicateOrMalformed() {
        String e1 = "{\"name\":\"b\",\"type\":\"symlink\",\"size\":1,\"target\":\"x\"}";
        String e2 = "{\"name\":\"a\",\"type\":\"symlink\",\"size\":1,\"target\":\"x\"}";
        String[] bad = {
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[" + e1 + "," + e2 + "]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[" + e2 + "," + e2 + "]}",
            "{\"format\":2,\"kind\":\"tree\",\"entries\":[]}",
            "{\"format\":1,\"kind\":\"blocks\",\"entries\":[]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"type\":\"file\",\"size\":-1,\"executable\":false,\"blob\":\"" + A.hex() + "\"}]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"type\":\"file\",\"size\":1,\"executable\":false}]}",
            "not json",
            // a key twice, anything after the object, format or kind out of place or mistyped
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[],\"entries\":[" + e2 + "]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"name\":\"b\",\"type\":\"symlink\",\"size\":1,\"target\":\"x\"}]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"type\":\"symlink\",\"size\":1,\"target\":\"x\","
                    + manyKeys(20) + ",\"k17\":0}]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[]," + manyKeys(20) + ",\"k3\":0}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[],\"kind\":\"tree\"}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[]} {}",
            "{\"kind\":\"tree\",\"format\":1,\"entries\":[]}",
            "{\"format\":\"1\",\"kind\":\"tree\",\"entries\":[]}",
            "{\"format\":1,\"kind\":[\"tree\"],\"entries\":[]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":{}}",
            "{\"format\":1,\"kind\":\"tree\"}",
            // sizes that are not non-negative 64-bit integers, an entry that is not an object
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"type\":\"symlink\",\"size\":1.0,\"target\":\"x\"}]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[{\"name\":\"a\",\"type\":\"dir\",\"size\":1,\"files\":99999999999999999999,\"tree\":\"" + A.hex() + "\"}]}",
            "{\"format\":1,\"kind\":\"tree\",\"entries\":[\"a\"]}",
        };
        for (String json : bad) {
            assertThrows(CorruptObjectException.class, () -> Tree.decode(null, json.getBytes(StandardCharsets.UTF_8)), json);
        }
    }

    /** {@code "k0":0,...} with {@code n} keys. */
    private static String manyKeys(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\":0").collect(Collectors.joining(","));
    }

    @Test
    void decode_passesOverFieldsItDoesNotKnow() throws Exception {
        String json = "{\"format\":1,\"kind\":\"tree\",\"note\":{\"entries\":[1]},\"entries\":[{\"name\":\"a\","
                + "\"extra\":[{\"name\":\"b\"}],\"type\":\"symlink\",\"size\":1,\"target\":\"x\"}],\"more\":null}";
        assertEquals(Tree.of(List.of(TreeEntry.symlink("a", "x"))),
                Tree.decode(null, json.getBytes(StandardCharsets.UTF_8)));
        String wide = "{\"format\":1,\"kind\":\"tree\"," + manyKeys(20) + ",\"entries\":[{\"name\":\"a\","
                + manyKeys(20) + ",\"type\":\"symlink\",\"size\":1,\"target\":\"x\"}]}";
        assertEquals(Tree.of(List.of(TreeEntry.symlink("a", "x"))),
                Tree.decode(null, wide.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void blockIndex_roundTripsAndChecksBlockCount() throws Exception {
        BlockIndex bi = new BlockIndex(4, 9, List.of(A, B, A));
        assertEquals(BlockIndex.decode(null, bi.encode()), bi);
        assertEquals(1, bi.blockLength(2));
        assertThrows(IllegalArgumentException.class, () -> new BlockIndex(4, 9, List.of(A, B)));
        byte[] wrong = "{\"format\":1,\"kind\":\"blocks\",\"blockSize\":4,\"size\":9,\"blocks\":[]}".getBytes(StandardCharsets.UTF_8);
        assertThrows(CorruptObjectException.class, () -> BlockIndex.decode(null, wrong));
    }

    @Test
    void version_idIsHashOfEncodingAndRoundTrips() throws Exception {
        Version v = Version.of(null, Instant.parse("2026-11-27T10:00:00.123456Z"), "first",
                List.of(TreeEntry.dir("datasets", 30, 2, A), TreeEntry.file("a/b.bin", 3, false, B, false)));
        assertEquals(Hashing.hash(v.encode()), v.id());
        Version back = Version.decode(v.id(), v.encode());
        assertEquals(v, back);
        assertEquals(Instant.parse("2026-11-27T10:00:00.123Z"), back.time());
        assertEquals("a/b.bin", back.paths().get(0).name());
        Version child = Version.of(v.id(), Instant.parse("2026-11-27T11:00:00Z"), "second", v.paths());
        assertEquals(v.id(), Version.decode(null, child.encode()).parent());
        assertTrue(!child.id().equals(v.id()));
    }

    @Test
    void version_refusesEscapingPaths() {
        for (String bad : new String[] {"../x", "/abs", "a//b", "a/./b", "a/"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> Version.of(null, Instant.EPOCH, "m", List.of(TreeEntry.symlink(bad, "x"))), bad);
        }
    }

    @Test
    void version_refusesTrackedPathsThatNest_evenWithASiblingSortedBetween() {
        TreeEntry link = TreeEntry.symlink("d", "../outside");
        TreeEntry sibling = TreeEntry.file("d-x", 1, false, A, false);
        TreeEntry inside = TreeEntry.file("d/e/x", 1, false, A, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Version.of(null, Instant.EPOCH, "m", List.of(link, sibling, inside)));
        assertTrue(e.getMessage().contains("nest"), e.getMessage());
        assertEquals(2, Version.of(null, Instant.EPOCH, "m", List.of(link, sibling)).paths().size());
        assertEquals(2, Version.of(null, Instant.EPOCH, "m", List.of(TreeEntry.symlink("dx", "y"), inside)).paths().size());
    }

    @Test
    void tree_decodeOfManyEntries_givesBackEveryKindAndFindsEachByName() throws Exception {
        List<TreeEntry> entries = new ArrayList<>();
        for (int i = 0; i < 9000; i++) { // over two chunks of the compact entries
            String name = String.format("e%05d%s", i, i % 7 == 0 ? "é" : "");
            entries.add(switch (i % 4) {
                case 0 -> TreeEntry.file(name, i, i % 3 == 0, Hashing.hash(name.getBytes(StandardCharsets.UTF_8)), i % 5 == 0);
                case 1 -> TreeEntry.dir(name, i * 10L, i, Hashing.hash(name.getBytes(StandardCharsets.UTF_8)));
                case 2 -> TreeEntry.symlink(name, "../target-" + i);
                default -> TreeEntry.file(name, 0, false, A, false);
            });
        }
        Tree t = Tree.of(entries);
        Tree back = Tree.decode(null, t.encode());
        assertEquals(t, back);
        assertEquals(t.entries(), back.entries());
        for (TreeEntry e : t.entries()) {
            assertEquals(e, back.find(e.name()));
        }
        assertNull(back.find("e99999"));
        assertArrayEquals(t.encode(), back.encode());
    }

    /** A tree with one entry replaced, added or removed is the tree of the changed list, at either end too. */
    @Test
    void tree_with_replacesAddsOrRemovesOneEntry() {
        ObjectId id = Hashing.hash(new byte[] {1});
        List<TreeEntry> base = new ArrayList<>();
        for (String n : List.of("b", "d", "f")) {
            base.add(TreeEntry.file(n, 1, false, id, false));
        }
        Tree tree = new Tree(base);
        for (String name : List.of("a", "b", "c", "d", "e", "f", "g")) {
            TreeEntry e = TreeEntry.file(name, 2, true, id, false);
            List<TreeEntry> put = new ArrayList<>(base);
            put.removeIf(x -> x.name().equals(name));
            put.add(e);
            assertEquals(Tree.of(put).entries(), tree.with(name, e).entries(), "put " + name);
            assertArrayEquals(Tree.of(put).encode(), tree.with(name, e).encode(), "put " + name);
            List<TreeEntry> removed = new ArrayList<>(base);
            removed.removeIf(x -> x.name().equals(name));
            assertEquals(removed, tree.with(name, null).entries(), "remove " + name);
            assertEquals(e, tree.with(name, e).find(name));
        }
        assertThrows(IllegalArgumentException.class, () -> tree.with("..", null));
        assertThrows(IllegalArgumentException.class, () -> tree.with("a", TreeEntry.file("z", 1, false, id, false)));
    }
}
