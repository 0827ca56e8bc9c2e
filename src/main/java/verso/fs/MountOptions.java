package verso.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to mount: whether other uids may read, FUSE debug output, how long to wait for the mount to
 * answer, and extra {@code -o} options (tuning). The options always include {@code ro},
 * {@code default_permissions} (the kernel enforces the recorded mode bits), {@code kernel_cache}
 * (versions never change, so the page cache stays valid across opens), and a stable name
 * ({@code fsname=verso}, {@code subtype=verso}: type {@code fuse.verso} in the mount table).
 */
public record MountOptions(boolean allowOther, boolean debug, Duration readyTimeout, List<String> extra) {
    public static final String FS_NAME = "verso";
    public static final String FS_TYPE = "fuse." + FS_NAME;
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(20);

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
                "fsname=" + FS_NAME, "subtype=" + FS_NAME));
        if (allowOther) {
            o.add("allow_other");
        }
        o.addAll(extra);
        return String.join(",", o);
    }
}
