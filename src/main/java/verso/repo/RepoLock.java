package verso.repo;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The repository lock, {@code .verso/lock}: shared for readers, exclusive for writers and gc.
 *
 * <p>Design: OS file locks belong to the process, and the JDK refuses a second lock on one file from
 * the same JVM, so every process keeps one in-process read-write lock per lock file and holds the
 * OS lock while any of its threads does: the first shared holder takes the OS lock shared, the last
 * one releases it; an exclusive holder takes it exclusively. A holder that cannot get the lock
 * within the timeout fails with a message that says another verso command is running.
 */
public final class RepoLock {
    private static final Map<Path, Shared> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final long timeoutMillis;

    /** A held lock; close to release. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public RepoLock(Path file, long timeoutMillis) {
        this.file = file.toAbsolutePath().normalize();
        this.timeoutMillis = timeoutMillis;
    }

    public Held shared() throws IOException {
        return acquire(true);
    }

    public Held exclusive() throws IOException {
        return acquire(false);
    }

    private Held acquire(boolean shared) throws IOException {
        Shared s = LOCKS.computeIfAbsent(file, f -> new Shared());
        Lock local = shared ? s.rw.readLock() : s.rw.writeLock();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            if (!local.tryLock(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RepoException("interrupted while waiting for the repository lock; run the command again");
        }
        try {
            synchronized (s) {
                if (!shared || s.holders++ == 0) {
                    s.os = lockOs(shared, deadline);
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (s) {
                if (shared) {
                    s.holders--;
                }
            }
            local.unlock();
            throw e;
        }
        return () -> {
            synchronized (s) {
                if (!shared || --s.holders == 0) {
                    s.releaseOs();
                }
            }
            local.unlock();
        };
    }

    private FileLockHolder lockOs(boolean shared, long deadline) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock(0, Long.MAX_VALUE, shared);
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l != null) {
                    return new FileLockHolder(ch, l);
                }
                if (System.nanoTime() > deadline) {
                    throw busy();
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new RepoException("interrupted while waiting for the repository lock; run the command again");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private RepoException busy() {
        return new RepoException("another verso command is using this repository (" + file
                + " is locked); wait for it to finish and run the command again");
    }

    private record FileLockHolder(FileChannel channel, FileLock lock) {
    }

    private static final class Shared {
        final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
        int holders;
        FileLockHolder os;

        void releaseOs() {
            if (os != null) {
                try {
                    os.lock().release();
                    os.channel().close();
                } catch (IOException e) {
                    // Closing the channel releases the lock in any case; nothing else to do.
                }
                os = null;
            }
        }
    }
}
