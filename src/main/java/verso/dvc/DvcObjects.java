package verso.dvc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import verso.remote.Remote;
import verso.remote.RemoteNotFoundException;
import verso.store.ObjectStore;

/**
 * Where DVC's objects are: the local cache first, then the DVC remote, each in both layouts: DVC 3's
 * {@code files/md5/ab/cdef…} and DVC 2's {@code ab/cdef…} (the layout the output's hash kind suggests is
 * tried first). An object from the remote is streamed into a temp file of verso's store (the same
 * filesystem, so it costs no extra space beyond itself) and removed once it has been read.
 */
final class DvcObjects {
    /** A readable copy of one object; {@link #release} removes a downloaded copy. */
    record Located(Path file, boolean downloaded, String from) {
        void release() throws IOException {
            if (downloaded) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Opens the DVC remote when an object is not in the local cache; returns null if there is none. */
    interface RemoteOpener {
        Remote open() throws IOException;
    }

    private final Path cache;
    private final RemoteOpener remotes;
    private final ObjectStore store;

    DvcObjects(Path cache, RemoteOpener remotes, ObjectStore store) {
        this.cache = cache;
        this.remotes = remotes;
        this.store = store;
    }

    /** The relative keys an object may have, the likelier first. */
    static List<String> keys(String name, boolean legacy) {
        String two = name.substring(0, 2) + "/" + name.substring(2);
        String three = "files/md5/" + two;
        return legacy ? List.of(two, three) : List.of(three, two);
    }

    /** A readable copy of the object named {@code name} (an md5, with {@code .dir} for a manifest), or null. */
    Located locate(String name, boolean legacy) throws IOException {
        List<String> keys = keys(name, legacy);
        for (String k : keys) {
            Path p = cache.resolve(k);
            if (Files.isRegularFile(p)) {
                return new Located(p, false, "the local cache");
            }
        }
        Remote remote = remotes.open();
        if (remote == null) {
            return null;
        }
        for (String k : keys) {
            Path temp = store.newTemp();
            boolean ok = false;
            try (InputStream in = remote.get(k, 0, -1);
                 OutputStream out = Files.newOutputStream(temp)) {
                in.transferTo(out);
                ok = true;
                return new Located(temp, true, remote.describe());
            } catch (RemoteNotFoundException e) {
                // try the other layout
            } finally {
                if (!ok) {
                    Files.deleteIfExists(temp);
                }
            }
        }
        return null;
    }

    boolean hasRemote() throws IOException {
        return remotes.open() != null;
    }
}
