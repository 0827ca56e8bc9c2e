package verso.cli;

import java.util.List;
import verso.store.TreeEntry;

/** How sizes and tracked paths are shown to users. */
final class Format {
    private Format() {
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String entry(TreeEntry e) {
        return e.name() + " (" + e.files() + (e.files() == 1 ? " file, " : " files, ") + bytes(e.size()) + ")";
    }

    static String paths(List<TreeEntry> paths) {
        StringBuilder sb = new StringBuilder();
        for (TreeEntry e : paths) {
            sb.append(sb.length() == 0 ? "" : ", ").append(entry(e));
        }
        return sb.length() == 0 ? "(nothing tracked)" : sb.toString();
    }
}
