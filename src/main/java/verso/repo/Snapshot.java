package verso.repo;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import verso.store.ObjectId;
import verso.store.Tree;
import verso.store.TreeEntry;

/**
 * What a scan found at one tracked path: its entry (named by the project-relative path; null if the
 * path does not exist) and the trees below it, children before parents. After a storing
 * scan the trees are in the store too; after a hashing scan they exist only here. {@code skipped}:
 * what verso cannot track (sockets, pipes); {@code temps}: temp files a killed checkout left (never
 * part of the entry).
 */
public record Snapshot(TreeEntry entry, Map<ObjectId, Tree> trees, List<String> skipped, List<String> temps) {
    public Snapshot {
        trees = Collections.unmodifiableMap(trees);
        skipped = List.copyOf(skipped);
        temps = List.copyOf(temps);
    }
}
