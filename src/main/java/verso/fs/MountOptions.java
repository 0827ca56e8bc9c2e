package verso.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to mount: whether other uids may read, FUSE debug output, how long to wait for the mount to
 * answer, and extra {@code -o} options (tuning). The options always include {@code ro},
 * {@code default_permissions} (the kernel enforces the recorded mode bits), {@code kernel_cache}
 * (versions never change, so the page cache stays valid across opens), long entry and attribute
 * timeouts, and a stable name ({@code fsname=verso}, {@code subtype=verso}: type {@code fuse.verso}
 * in the mount table).
 *
 * <p>The timeouts let the kernel answer repeated lookups and stats itself (a second {@code ls -R}
 * or {@code find} never reaches verso). That is safe because nothing a lookup returns changes: a
 * version's tree is immutable, and what does change — {@code latest}, tags, dates — are symlinks,
 * whose targets the kernel always asks for afresh (libfuse 2 never lets it cache them), while
 * directory listings are never cached, so new versions still appear at once. Failed lookups are not
 * cached either (no negative timeout).
 */
public record MountOptions(boolean allowOther, boolean debug, Duration readyTimeout, List<String> extra) {
    public static final String FS_NAME = "verso";
    public static final String FS_TYPE = "fuse." + FS_NAME;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(20);
    /** Seconds the kernel may keep a looked-up name and its attributes. */
    static final int CACHE_TIMEOUT_SECONDS = 3600;

    public MountOptions {
        extra = List.copyOf(extra);
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("ready timeout must be positive");
        }
        for (String o : extra) {
            if (o.isEmpty() || o.contains(",")) {
                throw new IllegalArgumentException("one option per entry, no commas: '" + o + "'");
            }
        }
    }

    public static MountOptions defaults() {
        return new MountOptions(false, false, DEFAULT_READY_TIMEOUT, List.of());
    }

    public MountOptions withAllowOther(boolean allow) {
        return new MountOptions(allow, debug, readyTimeout, extra);
    }

    /** The {@code -o} value passed to libfuse. */
    public String optionString() {
        List<String> o = new ArrayList<>(List.of("ro", "default_permissions", "kernel_cache",
                "entry_timeout=" + CACHE_TIMEOUT_SECONDS, "attr_timeout=" + CACHE_TIMEOUT_SECONDS,
                "fsname=" + FS_NAME, "subtype=" + FS_NAME));
        if (allowOther) {
            o.add("allow_other");
        }
        o.addAll(extra);
        return String.join(",", o);
    }
}
