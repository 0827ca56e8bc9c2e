package verso.store;

/**
 * Where things live, in a project's {@code .verso/} and on every remote (docs/format.md): the one
 * place the layout is spelled. Names are given as key prefixes ({@code "versions/"}); a local
 * directory of the same name is {@code root.resolve(VERSIONS)}.
 */
public final class Layout {
    /** Objects by id, fanned out by their first two hex digits: {@code objects/ab/cdef…}. */
    public static final String OBJECTS = "objects/";
    /** One version record per version: {@code versions/<id>}. */
    public static final String VERSIONS = "versions/";
    /** One file per tag, holding a version id and a newline: {@code tags/<name>}. */
    public static final String TAGS = "tags/";
    /** On a remote, one lock per push or gc running: {@code locks/<random>}. */
    public static final String LOCKS = "locks/";

    private Layout() {
    }

    public static String objectKey(ObjectId id) {
        return OBJECTS + id.fanoutPath();
    }

    public static String versionKey(ObjectId id) {
        return VERSIONS + id.hex();
    }

    /** The id named by an {@code objects/ab/cdef…} key, or null for any other key. */
    public static ObjectId objectIdOf(String key) {
        if (!key.startsWith(OBJECTS) || key.length() != OBJECTS.length() + ObjectId.HEX_LENGTH + 1
                || key.charAt(OBJECTS.length() + 2) != '/') {
            return null;
        }
        String hex = key.substring(OBJECTS.length(), OBJECTS.length() + 2) + key.substring(OBJECTS.length() + 3);
        return ObjectId.isValidHex(hex) ? ObjectId.fromHex(hex) : null;
    }
}
