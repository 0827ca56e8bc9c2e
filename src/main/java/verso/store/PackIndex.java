package verso.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The index of a pack: the objects a pack holds, in the order they sit in it, with their sizes. An
 * object's offset in the pack is the sum of the sizes before it; the pack is exactly the objects'
 * bytes end to end, so its size is the sum of all. The index is itself an object, content-addressed,
 * and names its pack by the pack's id (the SHA-256 of the pack's bytes).
 */
public final class PackIndex {
    public static final String KIND = "pack";

    private final ObjectId pack;
    private final List<ObjectId> ids;
    /** One more element than {@code ids}: the last is the pack's size. */
    private final long[] offsets;

    private PackIndex(ObjectId pack, List<ObjectId> ids, long[] offsets) {
        this.pack = pack;
        this.ids = List.copyOf(ids);
        this.offsets = offsets;
        if (offsets.length != ids.size() + 1 || offsets[0] != 0) {
            throw new IllegalArgumentException("a pack index needs one offset per object and the pack size");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (offsets[i + 1] < offsets[i]) {
                throw new IllegalArgumentException("pack offsets must not decrease");
            }
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw new IllegalArgumentException("an object twice in one pack");
        }
    }

    /**
     * Whether an object belongs with the metadata a listing reads (trees, block indexes, versions),
     * which a push packs apart from file data. Judged by how the bytes open; a blob that looks the same
     * is merely packed with the metadata.
     */
    public static boolean isMetadata(byte[] bytes) {
        return CanonicalJson.isStructured(bytes);
    }

    /** An index of objects laid end to end with these sizes. */
    public static PackIndex of(ObjectId pack, List<ObjectId> ids, List<Long> sizes) {
        long[] offsets = new long[ids.size() + 1];
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i) < 0) {
                throw new IllegalArgumentException("negative object size in a pack");
            }
            offsets[i + 1] = Math.addExact(offsets[i], sizes.get(i));
        }
        return new PackIndex(pack, ids, offsets);
    }

    public ObjectId pack() {
        return pack;
    }

    public List<ObjectId> ids() {
        return ids;
    }

    public int count() {
        return ids.size();
    }

    public long packSize() {
        return offsets[ids.size()];
    }

    public long offset(int i) {
        return offsets[i];
    }

    public long size(int i) {
        return offsets[i + 1] - offsets[i];
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            g.writeStringField("pack", pack.hex());
            g.writeArrayFieldStart("ids");
            for (ObjectId id : ids) {
                g.writeString(id.hex());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("sizes");
            for (int i = 0; i < ids.size(); i++) {
                g.writeNumber(size(i));
            }
            g.writeEndArray();
        });
    }

    public static PackIndex decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        var fields = new Object() {
            ObjectId pack;
            List<ObjectId> ids;
            List<Long> sizes;
        };
        CanonicalJson.decode(id, bytes, KIND, (field, p) -> {
            switch (field) {
                case "pack" -> fields.pack = CanonicalJson.objectId(id, p, field);
                case "ids" -> {
                    List<ObjectId> list = new ArrayList<>();
                    Set<ObjectId> seen = new HashSet<>();
                    CanonicalJson.array(id, p, field, e -> {
                        String hex = CanonicalJson.text(e);
                        if (hex == null || !ObjectId.isValidHex(hex) || !seen.add(ObjectId.fromHex(hex))) {
                            throw new CorruptObjectException(id, "invalid or repeated object id in pack index");
                        }
                        list.add(ObjectId.fromHex(hex));
                    });
                    fields.ids = list;
                }
                case "sizes" -> {
                    List<Long> list = new ArrayList<>();
                    CanonicalJson.array(id, p, field, e -> list.add(CanonicalJson.nonNegative(e)));
                    fields.sizes = list;
                }
                default -> p.skipChildren();
            }
        });
        ObjectId pack = CanonicalJson.required(id, fields.pack, "pack");
        List<ObjectId> ids = CanonicalJson.required(id, fields.ids, "ids");
        List<Long> sizes = CanonicalJson.required(id, fields.sizes, "sizes");
        if (ids.size() != sizes.size()) {
            throw new CorruptObjectException(id, "pack index has " + ids.size() + " ids and " + sizes.size() + " sizes");
        }
        try {
            return of(pack, ids, sizes);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CorruptObjectException(id, "malformed pack index: " + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackIndex p && pack.equals(p.pack) && ids.equals(p.ids)
                && Arrays.equals(offsets, p.offsets);
    }

    @Override
    public int hashCode() {
        return pack.hashCode() * 31 + ids.hashCode();
    }

    @Override
    public String toString() {
        return "PackIndex[pack=" + pack.shortHex() + ", objects=" + ids.size() + ", size=" + packSize() + "]";
    }
}
