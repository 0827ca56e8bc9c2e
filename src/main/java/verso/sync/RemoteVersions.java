package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import verso.remote.Remote;
import verso.remote.RemoteNotFoundException;
import verso.remote.RemoteStats;
import verso.repo.RepoException;
import verso.repo.VersionLog;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.Names;
import verso.store.ObjectId;
import verso.store.Version;
import verso.store.VersionOrder;

/**
 * The history held by a remote: {@code versions/<id>} (each the bytes of a version object) and
 * {@code tags/<name>} (a version id and a newline). Listing {@code versions/} once tells what a remote
 * has, because a version is written there only after every object it references (the commit point).
 * Version records are read from the local {@code versions/} when present (they are immutable and
 * named by their hash), else fetched and checked against their name.
 */
public final class RemoteVersions implements Closeable {
    /** Downloads of a value whose content does not match its name before it is called corrupt. */
    static final int DOWNLOAD_ATTEMPTS = 3;

    private final Remote remote;
    private final String name;
    private final RemoteStats stats;

    /** {@code name}: how the user calls the remote, for messages. */
    public RemoteVersions(Remote remote, String name) {
        this(remote, name, new RemoteStats());
    }

    /** {@code stats}: the counters the remote was opened with, for the command's summary. */
    public RemoteVersions(Remote remote, String name, RemoteStats stats) {
        this.remote = remote;
        this.name = name;
        this.stats = stats;
    }

    /** The requests made to the remote so far (zero unless it was opened counting into these). */
    public RemoteStats stats() {
        return stats;
    }

    public Remote remote() {
        return remote;
    }

    public String name() {
        return name;
    }

    /** The ids of every version on the remote: one listing of {@code versions/}; other names are ignored. */
    public Set<ObjectId> ids() throws IOException {
        Set<ObjectId> out = new HashSet<>();
        remote.list(Layout.VERSIONS, file -> {
            String n = file.key().substring(Layout.VERSIONS.length());
            if (ObjectId.isValidHex(n)) {
                out.add(ObjectId.fromHex(n));
            }
        });
        return out;
    }

    /**
     * The bytes of a remote version record, checked against its id; bytes that do not match (changed on
     * the way) are asked for again, a few times, before the record is called corrupt.
     */
    byte[] fetchRecord(ObjectId id) throws IOException {
        for (int attempt = 1; ; attempt++) {
            byte[] bytes = remote.getBytes(Layout.versionKey(id));
            if (Hashing.hash(bytes).equals(id)) {
                Version.decode(id, bytes);
                return bytes;
            }
            if (attempt >= DOWNLOAD_ATTEMPTS) {
                throw new RepoException("remote " + name + ": versions/" + id.hex() + " does not hash to its name "
                        + "(corrupt, in " + attempt + " downloads); run verso verify --remote " + name);
            }
        }
    }

    /** Reads a version: from the local log if it has it, else from the remote (checked). */
    Version read(ObjectId id, VersionLog local) throws IOException {
        if (local != null && local.contains(id)) {
            return local.read(id);
        }
        return Version.decode(id, fetchRecord(id));
    }

    /** Every version on the remote, newest first (as {@link VersionLog#list}); records are read in parallel. */
    public List<VersionLog.Entry> list(VersionLog local) throws IOException {
        return list(ids(), local);
    }

    List<VersionLog.Entry> list(Collection<ObjectId> ids, VersionLog local) throws IOException {
        List<VersionLog.Entry> out = Collections.synchronizedList(new ArrayList<>());
        try (Transfers t = new Transfers()) {
            t.run(ids, id -> out.add(new VersionLog.Entry(id, read(id, local))));
        }
        List<VersionLog.Entry> sorted = new ArrayList<>(out);
        VersionOrder.sort(sorted, VersionLog.Entry::id, VersionLog.Entry::version);
        Collections.reverse(sorted);
        return sorted;
    }

    /** The tag names under {@code tags/}; keys that are not a tag name verso could have written are passed over. */
    List<String> tagNames() throws IOException {
        List<String> names = new ArrayList<>();
        remote.list(Layout.TAGS, file -> {
            String n = file.key().substring(Layout.TAGS.length());
            if (Names.isValidTag(n)) {
                names.add(n);
            }
        });
        return names;
    }

    /** The remote's tags by name; tags whose content is not a version id are left out. */
    public TreeMap<String, ObjectId> tags() throws IOException {
        List<String> names = tagNames();
        Map<String, ObjectId> found = new ConcurrentHashMap<>();
        if (!names.isEmpty()) {
            try (Transfers t = new Transfers()) {
                t.run(names, n -> {
                    ObjectId id = readTag(n);
                    if (id != null) {
                        found.put(n, id);
                    }
                });
            }
        }
        return new TreeMap<>(found);
    }

    /** The version a remote tag names, or null if the tag is absent or not an id. */
    ObjectId readTag(String tag) throws IOException {
        try {
            String s = new String(remote.getBytes(Layout.TAGS + tag), StandardCharsets.UTF_8).trim();
            return ObjectId.isValidHex(s) ? ObjectId.fromHex(s) : null;
        } catch (RemoteNotFoundException e) {
            return null;
        }
    }

    void writeTag(String tag, ObjectId id) throws IOException {
        remote.put(Layout.TAGS + tag, (id.hex() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the remote. */
    @Override
    public void close() throws IOException {
        remote.close();
    }
}
