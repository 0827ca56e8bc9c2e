package verso.remote;

/** Checks keys at the edge of every implementation, so a bad key never becomes a path or a URL. */
final class RemoteKeys {
    private RemoteKeys() {
    }

    /** A key is relative, uses {@code /}, and has no empty, {@code .} or {@code ..} segment. */
    static String check(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/")
                || key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid remote key: " + key);
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid remote key: " + key);
            }
        }
        return key;
    }

    /** A prefix is a key start: it may be empty or end with {@code /}, but must not escape the root. */
    static String checkPrefix(String prefix) {
        if (prefix == null || prefix.startsWith("/") || prefix.indexOf('\\') >= 0 || prefix.contains("..")) {
            throw new IllegalArgumentException("invalid remote prefix: " + prefix);
        }
        return prefix;
    }
}
