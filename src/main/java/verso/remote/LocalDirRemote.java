package verso.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A remote that is a directory with the repository layout, for network shares and tests.
 *
 * <p>A put writes a hidden temp file in the target's own directory (so it is on the same
 * filesystem even when subdirectories are mount points), forces it to disk, then renames it over
 * the key: readers see the old value or the new one, never a part. Listing skips those temp files.
 */
public final class LocalDirRemote implements Remote {
    static final String TEMP_PREFIX = ".verso-tmp-";

    private final Path root;

    public LocalDirRemote(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset: " + offset);
        }
        Path file = pathOf(key);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new RemoteNotFoundException(key);
        } catch (IOException e) {
            throw failure("cannot read", key, e);
        }
        try {
            channel.position(offset);
        } catch (IOException e) {
            channel.close();
            throw failure("cannot read", key, e);
        }
        InputStream in = Channels.newInputStream(channel);
        return length < 0 ? in : new SliceInputStream(in, length);
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        Path target = pathOf(key);
        Path temp = newTemp(key, target);
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                out.force(true);
            }
            publish(temp, target);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw failure("cannot write", key, e);
        }
    }

    @Override
    public void put(String key, Path file) throws IOException {
        Path target = pathOf(key);
        Path temp = newTemp(key, target);
        try {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                long size = in.size();
                long done = 0;
                while (done < size) {
                    done += in.transferTo(done, size - done, out);
                }
                out.force(true);
            }
            publish(temp, target);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw failure("cannot write", key, e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(pathOf(key));
    }

    @Override
    public long size(String key) throws IOException {
        try {
            return Files.size(pathOf(key));
        } catch (NoSuchFileException e) {
            throw new RemoteNotFoundException(key);
        } catch (IOException e) {
            throw failure("cannot stat", key, e);
        }
    }

    @Override
    public void list(String prefix, Consumer<RemoteFile> file) throws IOException {
        RemoteKeys.checkPrefix(prefix);
        // Walk only below the deepest directory the prefix names, not the whole remote.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return;
        }
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                        String key = keyOf(p);
                        if (key.startsWith(prefix)) {
                            file.accept(new RemoteFile(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path p, IOException e) throws IOException {
                    // A file deleted between reading its directory and visiting it (a concurrent gc) is gone.
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw failure("cannot list", prefix, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            Files.deleteIfExists(pathOf(key));
        } catch (IOException e) {
            throw failure("cannot delete", key, e);
        }
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private Path pathOf(String key) {
        return root.resolve(RemoteKeys.check(key));
    }

    private String keyOf(Path file) {
        StringBuilder key = new StringBuilder();
        for (Path name : root.relativize(file)) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(name);
        }
        return key.toString();
    }

    private Path newTemp(String key, Path target) throws IOException {
        try {
            Files.createDirectories(target.getParent());
            Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
            return Files.createFile(temp);
        } catch (IOException e) {
            throw failure("cannot write", key, e);
        }
    }

    private static void publish(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some network filesystems refuse atomic renames; a plain replace is the best they offer.
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private RemoteException failure(String what, String key, IOException e) {
        return new RemoteException(what + " " + key + " in " + root + ": " + e, e);
    }
}
