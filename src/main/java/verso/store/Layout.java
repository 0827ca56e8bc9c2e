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
    /** On a remote, packs of small objects by the id of their bytes: {@code packs/<id>}. */
    public static final String PACKS = "packs/";
    /** On a remote, the index of each pack ({@link PackIndex}) by its own id: {@code pack-indexes/<id>}. */
    public static final String PACK_INDEXES = "pack-indexes/";
    /** On a remote, the pack indexes of a version ({@link VersionPacks}): {@code version-packs/<version id>}. */
    public static final String VERSION_PACKS = "version-packs/";

    private Layout() {
    }

    public static String objectKey(ObjectId id) {
        return OBJECTS + id.fanoutPath();
    }

    public static String versionKey(ObjectId id) {
        return VERSIONS + id.hex();
    }

    public static String packKey(ObjectId id) {
        return PACKS + id.hex();
    }

    public static String packIndexKey(ObjectId id) {
        return PACK_INDEXES + id.hex();
    }

    public static String versionPacksKey(ObjectId version) {
        return VERSION_PACKS + version.hex();
    }

    /** The id at the end of a {@code <prefix><64 hex digits>} key, or null for any other key. */
    public static ObjectId idOf(String prefix, String key) {
        if (!key.startsWith(prefix) || key.length() != prefix.length() + ObjectId.HEX_LENGTH) {
            return null;
        }
        String hex = key.substring(prefix.length());
        return ObjectId.isValidHex(hex) ? ObjectId.fromHex(hex) : null;
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
