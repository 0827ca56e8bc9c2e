package verso.store;

/** What a tree entry (or a tracked path) is. */
public enum EntryType {
    FILE("file"), DIR("dir"), SYMLINK("symlink");

    private final String code;

    EntryType(String code) {
        this.code = code;
    }

    /** The name used in encodings: {@code file}, {@code dir}, {@code symlink}. */
    public String code() {
        return code;
    }

    public static EntryType fromCode(String code) {
        for (EntryType t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown entry type '" + code + "'");
    }
}
