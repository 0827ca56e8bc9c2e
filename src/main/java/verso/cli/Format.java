package verso.cli;

import java.time.Duration;
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

    /** A duration in the largest unit that holds it whole, as {@link DurationOption} reads it: 1d, 90m. */
    static String duration(Duration d) {
        long s = d.toSeconds();
        long[] sizes = {86_400, 3_600, 60};
        String[] units = {"d", "h", "m"};
        for (int i = 0; i < sizes.length; i++) {
            if (s >= sizes[i] && s % sizes[i] == 0) {
                return s / sizes[i] + units[i];
            }
        }
        return s + "s";
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
