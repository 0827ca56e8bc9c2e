package verso.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import verso.store.Layout;

/**
 * The versions and tags of a directory with the repository layout ({@code versions/}, {@code
 * tags/}), such as a project's {@code .verso/} or a remote kept in a local directory. Missing
 * directories mean no versions or tags yet.
 */
public final class DirCatalog extends ListingCatalog {
    private final Path root;

    public DirCatalog(Path root) {
        this(root, version -> { });
    }

    /** {@code preparer} readies each version before it is shown (see {@link Catalog.Preparer}). */
    public DirCatalog(Path root, Preparer preparer) {
        super(preparer);
        this.root = root;
    }

    @Override
    protected List<String> listVersions() throws IOException {
        return list(root.resolve(Layout.VERSIONS));
    }

    @Override
    protected byte[] readVersion(String name) throws IOException {
        return Files.readAllBytes(root.resolve(Layout.VERSIONS).resolve(name));
    }

    @Override
    protected List<String> listTags() throws IOException {
        return list(root.resolve(Layout.TAGS));
    }

    @Override
    protected byte[] readTag(String name) throws IOException {
        return Files.readAllBytes(root.resolve(Layout.TAGS).resolve(name));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(p)) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return names;
        }
        return names;
    }
}
