package verso.store;

import java.util.regex.Pattern;

/** Validation of names read from trees and versions: a corrupt or malicious name is refused, never followed. */
public final class Names {
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Names() {
    }

    /** True if s is a valid single path segment: non-empty, no '/', no NUL, not '.' or '..'. */
    public static boolean isValidSegment(String s) {
        return s != null && !s.isEmpty() && !s.equals(".") && !s.equals("..")
                && s.indexOf('/') < 0 && s.indexOf('\0') < 0;
    }

    /**
     * True for a name verso gives a tag: letters, digits, '.', '_' and '-', starting with a letter or
     * digit, at most 128 characters, not {@code head} and not only hex digits (which would read as an
     * id). Any other name, such as a remote's {@code ../x} or {@code a\\b}, is not a tag.
     */
    public static boolean isValidTag(String s) {
        return s != null && TAG.matcher(s).matches() && !ObjectId.isHexPrefix(s) && !s.equals("head");
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
        // Below U+0080 a char is its own UTF-8 byte: ASCII names (the usual ones, compared on every path
        // lookup) are ordered without encoding them.
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca >= 0x80 || cb >= 0x80) {
                return compareEncoded(a, b);
            }
            if (ca != cb) {
                return ca - cb;
            }
        }
        return a.length() - b.length(); // equal, or the shorter is a prefix of the longer
    }

    private static int compareEncoded(String a, String b) {
        return java.util.Arrays.compareUnsigned(
                a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
