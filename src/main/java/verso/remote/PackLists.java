package verso.remote;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import verso.store.CorruptObjectException;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.PackIndex;
import verso.store.PackLocator;
import verso.store.VersionPacks;

/**
 * Reads which packs hold a version's objects on a remote: the version's {@code version-packs/} record
 * (none for a version pushed before packs, whose objects are all loose) and the pack indexes it names,
 * each checked against its id before it is decoded.
 */
public final class PackLists {
    private PackLists() {
    }

    /** The pack list of {@code version}; an empty one if it has none. */
    public static VersionPacks read(Remote remote, ObjectId version) throws IOException {
        byte[] bytes;
        try {
            bytes = remote.getBytes(Layout.versionPacksKey(version));
        } catch (RemoteNotFoundException e) {
            return new VersionPacks(version, List.of());
        }
        try {
            return VersionPacks.decode(version, bytes);
        } catch (CorruptObjectException e) {
            throw new CorruptObjectException(version, "on " + remote.describe() + ", the pack list of version "
                    + version.shortHex() + " is corrupt (" + e.getMessage() + ")");
        }
    }

    /** The pack index {@code id}, verified. */
    public static PackIndex readIndex(Remote remote, ObjectId id) throws IOException {
        byte[] bytes;
        try {
            bytes = remote.getBytes(Layout.packIndexKey(id));
        } catch (RemoteNotFoundException e) {
            throw new RemoteNotFoundException("pack index " + id.hex() + " is missing on " + remote.describe()
                    + "; run verso verify --remote");
        }
        if (!Hashing.hash(bytes).equals(id)) {
            throw new CorruptObjectException(id, "on " + remote.describe() + ", pack index content does not match its id");
        }
        return PackIndex.decode(id, bytes);
    }

    /** Adds to {@code into} the indexes of {@code version} it does not have yet, held on the heap. */
    public static void load(Remote remote, ObjectId version, PackLocator into) throws IOException {
        load(remote, version, into, null);
    }

    /**
     * As above, each index kept in a file of {@code mapDir} mapped into memory ({@link PackIndex#mapped}),
     * or on the heap if {@code mapDir} is null: a reader of a version of a million small files keeps its
     * indexes (about 44 bytes an object) off the heap this way.
     */
    public static void load(Remote remote, ObjectId version, PackLocator into, Path mapDir) throws IOException {
        for (ObjectId index : read(remote, version).indexes()) {
            if (!into.hasIndex(index)) {
                PackIndex read = readIndex(remote, index);
                into.add(index, mapDir == null ? read : read.mapped(mapDir));
            }
        }
    }
}
