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

    /** The pack index {@code id}, verified, held on the heap. */
    public static PackIndex readIndex(Remote remote, ObjectId id) throws IOException {
        return readIndex(remote, id, null);
    }

    /** As above, with its table in a file of {@code mapDir} mapped into memory, or on the heap if it is null. */
    private static PackIndex readIndex(Remote remote, ObjectId id, Path mapDir) throws IOException {
        try {
            return remote.read(Layout.packIndexKey(id), in -> Hashing.decodeVerified(id, in,
                    s -> PackIndex.decode(id, s, mapDir), "on " + remote.describe() + ", pack index content"));
        } catch (RemoteNotFoundException e) {
            throw new RemoteNotFoundException("pack index " + id.hex() + " is missing on " + remote.describe()
                    + "; run verso verify --remote");
        }
    }

    /** Adds to {@code into} the indexes of {@code version} it does not have yet, held on the heap. */
    public static void load(Remote remote, ObjectId version, PackLocator into) throws IOException {
        load(remote, version, into, null);
    }

    /**
     * As above, each index kept in a file of {@code mapDir} mapped into memory, or on the heap if
     * {@code mapDir} is null: a reader of a version of a million small files keeps its indexes (about 44
     * bytes an object) off the heap this way ({@link PackIndex#decode(ObjectId, java.io.InputStream, Path)}).
     */
    public static void load(Remote remote, ObjectId version, PackLocator into, Path mapDir) throws IOException {
        for (ObjectId index : read(remote, version).indexes()) {
            if (!into.hasIndex(index)) {
                into.add(index, readIndex(remote, index, mapDir));
            }
        }
    }
}
