package verso.fs.jnr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class NodeTableTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lookup_givesOneIdPerName_andItsPathThroughTheParents() {
        NodeTable t = new NodeTable();
        long versions = t.lookup(NodeTable.ROOT, b("versions"));
        long v = t.lookup(versions, b("ab12"));
        long file = t.lookup(v, b("données.npy"));
        assertEquals("/", t.path(NodeTable.ROOT));
        assertEquals("/versions/ab12/données.npy", t.path(file));
        assertEquals(versions, t.lookup(NodeTable.ROOT, b("versions")));
        assertNotEquals(versions, t.lookup(v, b("versions")), "the same name in another folder is another node");
        assertNotEquals(NodeTable.ROOT, versions);
        assertEquals(5, t.size());
    }

    @Test
    void forget_freesANodeOnlyWhenEveryLookupIsForgotten_andItsParentOnlyAfterItsChildren() {
        NodeTable t = new NodeTable();
        long dir = t.lookup(NodeTable.ROOT, b("d"));
        long file = t.lookup(dir, b("f"));
        t.lookup(dir, b("f"));
        t.forget(dir, 1); // the folder is forgotten while its file is still known
        t.forget(file, 1);
        assertEquals("/d/f", t.path(file));
        t.forget(file, 1);
        assertEquals(1, t.size());
        assertThrows(IllegalArgumentException.class, () -> t.path(file));
        assertThrows(IllegalArgumentException.class, () -> t.path(dir));
        t.forget(file, 1); // forgetting a freed id changes nothing
        t.forget(NodeTable.ROOT, 5);
        assertEquals("/", t.path(NodeTable.ROOT));
        long again = t.lookup(NodeTable.ROOT, b("e"));
        assertEquals("/e", t.path(again));
    }

    @Test
    void leastRecentlyUsed_givesUpFilesNotUsedSinceTheLastSweep_eachOnce() {
        NodeTable t = new NodeTable();
        long dir = t.lookup(NodeTable.ROOT, b("d"));
        long a = t.lookup(dir, b("a"));
        t.lookup(dir, b("b"));
        t.lookup(dir, b("c"));
        assertEquals(List.of("a"), names(t.leastRecentlyUsed(1)), "every node was just used: one sweep spares them");
        t.lookup(dir, b("b"));
        assertEquals(List.of("c", "b"), names(t.leastRecentlyUsed(5)), "b was used again, so it comes last");
        assertEquals(List.of(), names(t.leastRecentlyUsed(5)), "each is given up once; the folder has children");
        assertEquals(5, t.size());
        assertEquals(2, t.kept());
        t.forget(a, 1);
        assertEquals(4, t.size());
        assertEquals(2, t.kept());
        t.lookup(dir, b("c")); // looked up again before the kernel forgot it: kept again
        assertEquals(3, t.kept());
        assertEquals(List.of("c"), names(t.leastRecentlyUsed(5)), "and may be given up again");
    }

    private static List<String> names(List<NodeTable.Entry> entries) {
        return entries.stream().map(e -> new String(e.name(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void manyLookupsAndForgets_agreeWithAMap() {
        NodeTable t = new NodeTable();
        Random random = new Random(7);
        Map<String, Long> ids = new HashMap<>();
        Map<Long, String> paths = new HashMap<>();
        Map<Long, Long> parents = new HashMap<>();
        Map<Long, Long> counts = new HashMap<>();
        Map<Long, Integer> children = new HashMap<>();
        List<Long> live = new ArrayList<>();
        for (int op = 0; op < 60_000; op++) {
            if (live.isEmpty() || random.nextInt(3) > 0) {
                // a child of the root or of a live node, from few names so that many collide
                long parent = live.isEmpty() || random.nextBoolean()
                        ? NodeTable.ROOT : live.get(random.nextInt(live.size()));
                String name = "n" + random.nextInt(300);
                String path = (parent == NodeTable.ROOT ? "" : paths.get(parent)) + "/" + name;
                long id = t.lookup(parent, b(name));
                Long known = ids.putIfAbsent(path, id);
                if (known != null) {
                    assertEquals(known, id, path);
                } else {
                    live.add(id);
                    paths.put(id, path);
                    parents.put(id, parent);
                    children.merge(parent, 1, Integer::sum);
                }
                counts.merge(id, 1L, Long::sum);
                assertEquals(path, t.path(id));
            } else {
                long id = live.get(random.nextInt(live.size()));
                t.forget(id, counts.put(id, 0L));
                // freed, and then each ancestor it kept that nothing else wants
                long n = id;
                while (n != NodeTable.ROOT && counts.get(n) == 0 && children.getOrDefault(n, 0) == 0) {
                    long node = n;
                    assertThrows(IllegalArgumentException.class, () -> t.path(node));
                    n = parents.remove(node);
                    ids.remove(paths.remove(node));
                    counts.remove(node);
                    live.remove(Long.valueOf(node));
                    children.merge(n, -1, Integer::sum);
                }
                assertEquals(n == NodeTable.ROOT ? "/" : paths.get(n), t.path(n));
            }
        }
        for (Map.Entry<String, Long> e : ids.entrySet()) {
            assertEquals(e.getKey(), t.path(e.getValue()));
        }
        assertEquals(live.size() + 1, t.size());
    }
}
