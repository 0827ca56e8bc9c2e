package verso.remote;

import java.time.Instant;

/**
 * A key as a listing gives it: its {@code size} in bytes and when it was {@code modified} (written), by
 * the remote's own clock.
 */
public record RemoteFile(String key, long size, Instant modified) {
}
