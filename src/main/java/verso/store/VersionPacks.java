package verso.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The pack indexes that hold a version's packed objects, on a remote: {@code version-packs/<version id>},
 * written with the packs before the version itself. A reader of one version loads only these indexes;
 * any object of the version that none of them lists is a loose object ({@code objects/…}).
 * The record is not content-addressed (it is named by its version), but it can only point at indexes,
 * which are, and whose objects are each verified: a record that lies makes objects missing, never wrong.
 */
public record VersionPacks(ObjectId version, List<ObjectId> indexes) {
    public static final String KIND = "packs";

    public VersionPacks {
        indexes = List.copyOf(indexes);
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            g.writeStringField("version", version.hex());
            g.writeArrayFieldStart("indexes");
            for (ObjectId i : indexes) {
                g.writeString(i.hex());
            }
            g.writeEndArray();
        });
    }

    /** Decodes the record found at {@code version}'s key; it must name that version. */
    public static VersionPacks decode(ObjectId version, byte[] bytes) throws CorruptObjectException {
        var fields = new Object() {
            ObjectId version;
            List<ObjectId> indexes;
        };
        CanonicalJson.decode(version, bytes, KIND, (field, p) -> {
            switch (field) {
                case "version" -> fields.version = CanonicalJson.objectId(version, p, field);
                case "indexes" -> {
                    List<ObjectId> list = new ArrayList<>();
                    CanonicalJson.array(version, p, field, e -> list.add(CanonicalJson.objectId(version, e, field)));
                    fields.indexes = list;
                }
                default -> p.skipChildren();
            }
        });
        if (!version.equals(CanonicalJson.required(version, fields.version, "version"))) {
            throw new CorruptObjectException(version, "pack list names another version");
        }
        return new VersionPacks(version, CanonicalJson.required(version, fields.indexes, "indexes"));
    }
}
