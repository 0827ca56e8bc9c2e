package verso.store;

/** Validation of names read from trees and versions: a corrupt or malicious name is refused, never followed. */
public final class Names {
    private Names() {
    }

    /** True if s is a valid single path segment: non-empty, no '/', no NUL, not '.' or '..'. */
    public static boolean isValidSegment(String s) {
        return s != null && !s.isEmpty() && !s.equals(".") && !s.equals("..")
                && s.indexOf('/') < 0 && s.indexOf('\0') < 0;
    }

    /** True if s is a relative path of valid segments joined by single '/'. */
    public static boolean isValidRelativePath(String s) {
        if (s == null || s.isEmpty() || s.startsWith("/") || s.endsWith("/")) {
            return false;
        }
        for (String seg : s.split("/", -1)) {
            if (!isValidSegment(seg)) {
                return false;
            }
        }
        return true;
    }

    /** Byte-order comparison of UTF-8 encodings: the order of entries in every canonical encoding. */
    public static int compare(String a, String b) {
        return java.util.Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
