package verso.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import verso.remote.InMemoryRemote;
import verso.repo.RepoException;
import verso.store.Layout;

final class RemoteLockTest {
    final InMemoryRemote remote = new InMemoryRemote();
    final RemoteVersions rv = new RemoteVersions(remote, "mem");

    private List<String> locks() {
        List<String> keys = new ArrayList<>();
        remote.list(Layout.LOCKS, f -> keys.add(f.key()));
        return keys;
    }

    private void foreignLock(String name, RemoteLock.Holder h) {
        remote.put(Layout.LOCKS + name, h.encode());
    }

    private static RemoteLock.Holder otherHost(boolean exclusive) {
        RemoteLock.Holder me = RemoteLock.Holder.self(exclusive, "push");
        return new RemoteLock.Holder(exclusive, "push", "elsewhere", me.boot(), me.pidNamespace(), me.pid(), me.started());
    }

    @Test
    void take_sharedBesideShared_andClosedLocksAreDeleted() throws IOException {
        try (RemoteLock one = RemoteLock.take(rv, false, "push");
             RemoteLock two = RemoteLock.take(rv, false, "push")) {
            assertEquals(2, locks().size());
            one.check();
            two.check();
        }
        assertEquals(List.of(), locks());
    }

    @Test
    void take_exclusiveBesideAnyLock_isRefusedNamingTheHolder_andLeavesNoLockOfItsOwn() throws IOException {
        try (RemoteLock push = RemoteLock.take(rv, false, "push")) {
            RepoException e = assertThrows(RepoException.class, () -> RemoteLock.take(rv, true, "gc --cloud"));
            assertTrue(e.getMessage().contains("locked by push on "), e.getMessage());
            assertEquals(1, locks().size());
        }
        try (RemoteLock gc = RemoteLock.take(rv, true, "gc --cloud")) {
            RepoException e = assertThrows(RepoException.class, () -> RemoteLock.take(rv, false, "push"));
            assertTrue(e.getMessage().contains("locked by gc --cloud on "), e.getMessage());
            assertEquals(1, locks().size());
        }
    }

    @Test
    void take_removesALockNotRenewedForHalfAnHour_butNotAYoungerOne() throws IOException {
        foreignLock("old", otherHost(true));
        remote.advance(RemoteLock.STALE.minusMinutes(1));
        assertThrows(RepoException.class, () -> RemoteLock.take(rv, false, "push"));
        remote.advance(Duration.ofMinutes(2));
        try (RemoteLock lock = RemoteLock.take(rv, true, "gc --cloud")) {
            assertFalse(locks().contains(Layout.LOCKS + "old"));
        }
    }

    @Test
    void take_removesTheLockOfAProcessThatEndedOnThisMachine_atOnce() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        RemoteLock.Holder me = RemoteLock.Holder.self(true, "gc --cloud");
        foreignLock("ended", new RemoteLock.Holder(true, "gc --cloud", me.host(), me.boot(), me.pidNamespace(),
                p.pid(), me.started()));
        foreignLock("alive", otherHost(false));
        try (RemoteLock lock = RemoteLock.take(rv, false, "push")) {
            assertEquals(2, locks().size());
            assertFalse(locks().contains(Layout.LOCKS + "ended"));
        }
    }

    @Test
    void take_aLivingProcessOnThisMachine_isRespected() throws IOException {
        RemoteLock.Holder me = RemoteLock.Holder.self(true, "gc --cloud");
        assertNotNull(me.host());
        foreignLock("mine", me);
        assertThrows(RepoException.class, () -> RemoteLock.take(rv, false, "push"));
    }

    @Test
    void take_anUnreadableLock_blocksUntilStale() throws IOException {
        remote.put(Layout.LOCKS + "junk", "not json".getBytes());
        RepoException e = assertThrows(RepoException.class, () -> RemoteLock.take(rv, false, "push"));
        assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
        remote.advance(RemoteLock.STALE.plusMinutes(1));
        RemoteLock.take(rv, false, "push").close();
        assertEquals(List.of(), locks());
    }

    @Test
    void check_failsOnceTheLockWasRemoved() throws IOException {
        try (RemoteLock lock = RemoteLock.take(rv, false, "push")) {
            lock.check();
            remote.delete(locks().get(0));
            RepoException e = assertThrows(RepoException.class, lock::check);
            assertTrue(e.getMessage().contains("run it again"), e.getMessage());
        }
    }

    @Test
    void holder_roundTripsThroughItsEncoding() {
        RemoteLock.Holder me = RemoteLock.Holder.self(false, "push");
        assertEquals(me, RemoteLock.Holder.decode(me.encode()));
    }
}
