package verso.fs;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import verso.store.Names;
import verso.store.TreeEntry;
import verso.store.Version;

/**
 * The directories a version's tracked paths make: {@code data/a.npz} and {@code data/b.npz} give a
 * synthetic directory {@code data} holding two tracked files. Each synthetic directory, keyed by
 * its prefix ("" for the version root), maps child names to a tracked entry or to {@code null}
 * for a synthetic child directory. When a name is both a tracked entry and a prefix of another
 * tracked path (a malformed version), the tracked entry wins.
 */
final class VersionLayout {
    private final Map<String, SortedMap<String, TreeEntry>> dirs = new HashMap<>();

    VersionLayout(Version version) {
        dirs.put("", new TreeMap<>(Names::compare));
        for (TreeEntry e : version.paths()) {
            String[] segs = e.name().split("/");
            String prefix = "";
            boolean blocked = false;
            for (int i = 0; i < segs.length - 1 && !blocked; i++) {
                SortedMap<String, TreeEntry> dir = dirs.get(prefix);
                if (dir.get(segs[i]) != null) {
                    blocked = true; // a tracked entry already has this name
                } else {
                    dir.put(segs[i], null);
                    prefix = prefix.isEmpty() ? segs[i] : prefix + "/" + segs[i];
                    dirs.computeIfAbsent(prefix, k -> new TreeMap<>(Names::compare));
                }
            }
            if (!blocked) {
                dirs.get(prefix).put(segs[segs.length - 1], e.withName(segs[segs.length - 1]));
            }
        }
    }

    /** The children of a synthetic directory, or null if there is no such synthetic directory. */
    SortedMap<String, TreeEntry> children(String prefix) {
        SortedMap<String, TreeEntry> d = dirs.get(prefix);
        return d == null ? null : Collections.unmodifiableSortedMap(d);
    }

    static String child(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }
}
