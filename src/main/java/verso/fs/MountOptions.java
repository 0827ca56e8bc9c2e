package verso.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How to mount: whether other uids may read, how long to wait for the mount to answer, and extra
 * {@code -o} mount options. The options always include {@code ro}, {@code default_permissions}
 * (the kernel enforces the recorded mode bits) and a stable name ({@code fsname=verso},
 * {@code subtype=verso}: type {@code fuse.verso} in the mount table). What the kernel may cache
 * is the FUSE session's to say, per reply.
 */
public record MountOptions(boolean allowOther, Duration readyTimeout, List<String> extra) {
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
        return new MountOptions(false, DEFAULT_READY_TIMEOUT, List.of());
    }

    public MountOptions withAllowOther(boolean allow) {
        return new MountOptions(allow, readyTimeout, extra);
    }

    /** The {@code -o} value passed to libfuse's mount. */
    public String optionString() {
        List<String> o = new ArrayList<>(List.of("ro", "default_permissions", "fsname=" + FS_NAME,
                "subtype=" + FS_NAME));
        if (allowOther) {
            o.add("allow_other");
        }
        o.addAll(extra);
        return String.join(",", o);
    }
}
