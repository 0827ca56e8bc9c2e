package verso.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import verso.remote.Remote;
import verso.store.Layout;

/**
 * The versions and tags of a {@link Remote}: lists {@code versions/} and {@code tags/}; only version
 * ids not seen before are fetched on each refresh. The remote is not closed by this catalog.
 */
public final class RemoteCatalog extends ListingCatalog {

    private final Remote remote;

    public RemoteCatalog(Remote remote) {
        this(remote, version -> { });
    }

    /** {@code preparer} readies each version before it is shown (see {@link Catalog.Preparer}). */
    public RemoteCatalog(Remote remote, Preparer preparer) {
        super(preparer);
        this.remote = remote;
    }

    @Override
    protected List<String> listVersions() throws IOException {
        return list(Layout.VERSIONS);
    }

    @Override
    protected byte[] readVersion(String name) throws IOException {
        return remote.getBytes(Layout.VERSIONS + name);
    }

    @Override
    protected List<String> listTags() throws IOException {
        return list(Layout.TAGS);
    }

    @Override
    protected byte[] readTag(String name) throws IOException {
        return remote.getBytes(Layout.TAGS + name);
    }

    @Override
    public String describe() {
        return remote.describe();
    }

    private List<String> list(String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        remote.list(prefix, file -> {
            String key = file.key();
            String name = key.substring(prefix.length());
            if (!name.isEmpty() && name.indexOf('/') < 0) {
                names.add(name);
            }
        });
        return names;
    }
}
