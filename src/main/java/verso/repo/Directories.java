package verso.repo;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.function.Consumer;

/**
 * How a workspace scan lists a directory and {@code lstat()}s its entries. {@link #JDK} goes through
 * {@link java.nio.file}; the command line installs a native one ({@link Repository#useDirectories}),
 * which saves the JDK's objects and calls per entry on a tree of millions of files.
 */
public interface Directories {
    /** A directory open for listing; its entries are {@code lstat()}ed relative to it, from any thread. */
    interface Open extends Closeable {
        /**
         * Gives each entry's name, {@code .} and {@code ..} excepted, in no particular order; {@code each}
         * may stat entries, but not list another directory on this thread.
         */
        void names(Consumer<String> each) throws IOException;

        /** The entry {@code name}, not following a symlink; null if it is gone. */
        FileStat lstat(String name) throws IOException;
    }

    /** Opens directory {@code dir}. */
    Open open(Path dir) throws IOException;

    /** Through the JDK: entries are {@code lstat()}ed relative to the open directory where it can. */
    Directories JDK = dir -> {
        DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
        return new Open() {
            @Override
            public void names(Consumer<String> each) {
                for (Path child : ds) {
                    each.accept(child.getFileName().toString());
                }
            }

            @Override
            public FileStat lstat(String name) throws IOException {
                Path np = dir.getFileSystem().getPath(name);
                try {
                    return ds instanceof SecureDirectoryStream<Path> sds
                            ? FileStat.of(sds.getFileAttributeView(np, PosixFileAttributeView.class,
                                    LinkOption.NOFOLLOW_LINKS).readAttributes())
                            : FileStat.lstat(dir.resolve(np));
                } catch (NoSuchFileException e) {
                    return null;
                }
            }

            @Override
            public void close() throws IOException {
                ds.close();
            }
        };
    };
}
