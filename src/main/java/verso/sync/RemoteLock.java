package verso.sync;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import verso.remote.Remote;
import verso.remote.RemoteException;
import verso.remote.RemoteFile;
import verso.remote.RemoteNotFoundException;
import verso.repo.PrettyJson;
import verso.repo.RepoException;
import verso.store.DaemonThreads;
import verso.store.Layout;

/**
 * A lock on a remote: {@code push} holds it shared, {@code gc --cloud} exclusively, so that gc never
 * deletes the objects of a push whose version is not written yet.
 *
 * <p>Design (as restic's): each holder writes its own {@code locks/<random>} object (who, where, shared
 * or exclusive), then lists {@code locks/}. Because every taker writes before it looks, of two takers
 * that conflict the later one always sees the earlier one, and backs off (deleting its own lock); two
 * that look at the same moment may both back off, never both proceed. A holder rewrites its lock every
 * {@link #REFRESH} while it works. A lock not rewritten for {@link #STALE} belongs to a process that
 * died or hangs, and is deleted by the next taker; so is, at once, a lock whose process has ended on the
 * taker's own machine (same host, boot and pid namespace). Ages come from the remote's clock alone: the
 * time of writing of the other lock against that of the taker's own, both from one listing.
 */
public final class RemoteLock implements Closeable {
    static final Duration REFRESH = Duration.ofMinutes(5);
    static final Duration STALE = Duration.ofMinutes(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Who holds a lock; {@code started} tells a reused pid from the holder. */
    record Holder(boolean exclusive, String command, String host, String boot, String pidNamespace, long pid,
                  Instant started) {
        static Holder self(boolean exclusive, String command) {
            ProcessHandle me = ProcessHandle.current();
            return new Holder(exclusive, command, readLine("/proc/sys/kernel/hostname"),
                    readLine("/proc/sys/kernel/random/boot_id"), currentPidNamespace(), me.pid(), startOf(me));
        }

        byte[] encode() {
            return PrettyJson.write(g -> {
                g.writeStringField("kind", exclusive ? "exclusive" : "shared");
                g.writeStringField("command", command);
                g.writeStringField("host", host);
                g.writeStringField("boot_id", boot);
                g.writeStringField("pid_namespace", pidNamespace);
                g.writeNumberField("pid", pid);
                g.writeStringField("started", started.toString());
            });
        }

        /** The holder a lock names, or null if it is not a lock this version can read. */
        static Holder decode(byte[] bytes) {
            try {
                Map<String, Object> m = PrettyJson.read(bytes);
                if (m == null) {
                    return null;
                }
                String kind = PrettyJson.text(m, "kind");
                String started = PrettyJson.text(m, "started");
                return new Holder(!"shared".equals(kind), PrettyJson.text(m, "command"), PrettyJson.text(m, "host"),
                        PrettyJson.text(m, "boot_id"), PrettyJson.text(m, "pid_namespace"),
                        PrettyJson.longValue(m, "pid", -1), started == null ? Instant.EPOCH : Instant.parse(started));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        /** True if the holder ran on this machine (same host, boot, pid namespace) and has ended. */
        boolean endedHere(Holder self) {
            if (host == null || boot == null || pidNamespace == null || !host.equals(self.host)
                    || !boot.equals(self.boot) || !pidNamespace.equals(self.pidNamespace)) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            return p.isEmpty() || !started.equals(startOf(p.get()));
        }

        String describe() {
            return (command == null ? "another verso" : command) + " on " + (host == null ? "another host" : host)
                    + (pid >= 0 ? " (pid " + pid + ")" : "");
        }
    }

    private final Remote remote;
    private final String remoteName;
    private final String key;
    private final byte[] content;
    private final Instant taken;
    private final ScheduledExecutorService refresher;

    private RemoteLock(Remote remote, String remoteName, String key, byte[] content, Instant taken) {
        this.remote = remote;
        this.remoteName = remoteName;
        this.key = key;
        this.content = content;
        this.taken = taken;
        this.refresher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("verso-remote-lock"));
        refresher.scheduleAtFixedRate(this::refresh, REFRESH.toSeconds(), REFRESH.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Takes the lock of {@code remote} for {@code command} (such as {@code "push"}), or fails naming the
     * holder that prevents it. Stale locks and locks of ended processes on this machine are removed.
     */
    public static RemoteLock take(RemoteVersions remote, boolean exclusive, String command) throws IOException {
        Holder self = Holder.self(exclusive, command);
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String key = Layout.LOCKS + HexFormat.of().formatHex(random);
        byte[] content = self.encode();
        Remote r = remote.remote();
        r.put(key, content);
        try {
            List<RemoteFile> others = new ArrayList<>();
            r.list(Layout.LOCKS, others::add);
            RemoteFile own = others.stream().filter(f -> f.key().equals(key)).findFirst()
                    .orElseThrow(() -> new RemoteException("remote " + remote.name() + ": the lock just written ("
                            + key + ") is not in the listing of " + Layout.LOCKS));
            others.remove(own);
            Instant mine = own.modified();
            for (RemoteFile f : others) {
                Holder h;
                try {
                    h = Holder.decode(r.getBytes(f.key()));
                } catch (RemoteNotFoundException e) {
                    continue;
                }
                boolean stale = f.modified().plus(STALE).isBefore(mine);
                if (stale || (h != null && h.endedHere(self))) {
                    r.delete(f.key());
                    continue;
                }
                if (exclusive || h == null || h.exclusive) {
                    throw new RepoException("remote " + remote.name() + " is locked by "
                            + (h == null ? "an unreadable lock" : h.describe()) + " since " + f.modified()
                            + "; try again when it has finished (a lock not renewed for "
                            + STALE.toMinutes() + " minutes is removed, or delete " + f.key() + " on the remote)");
                }
            }
            return new RemoteLock(r, remote.name(), key, content, mine);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(r, key);
            throw e;
        }
    }

    /** When the lock was taken, by the remote's clock. */
    public Instant taken() {
        return taken;
    }

    /**
     * Confirms the lock is still held, before a push writes the version that makes its objects
     * reachable; fails if another taker removed it as stale.
     */
    public void check() throws IOException {
        if (!remote.exists(key)) {
            throw new RepoException("remote " + remoteName + ": this command's lock (" + key + ") was removed as stale "
                    + "while it ran, so a gc --cloud may have deleted what it uploaded; nothing was committed, "
                    + "run it again");
        }
    }

    private void refresh() {
        try {
            remote.put(key, content);
        } catch (IOException | RuntimeException e) {
            // Retried at the next period; check() tells whether the lock survived.
        }
    }

    /** Stops renewing the lock and deletes it. */
    @Override
    public void close() {
        refresher.shutdownNow();
        try {
            refresher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(remote, key);
    }

    private static void deleteQuietly(Remote remote, String key) {
        try {
            remote.delete(key);
        } catch (IOException | RuntimeException e) {
            // A lock left behind is removed by a later taker: at once on this machine, else once stale.
        }
    }

    private static String readLine(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static String currentPidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static Instant startOf(ProcessHandle p) {
        return p.info().startInstant().orElse(Instant.EPOCH);
    }
}
