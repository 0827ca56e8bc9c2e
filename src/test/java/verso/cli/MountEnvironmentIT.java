package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import verso.cli.VersoProcess.Result;

/**
 * {@code verso mount} where FUSE cannot work, made real with the tools a container runtime uses: a
 * mount namespace whose {@code /dev} has no {@code fuse} (a container without {@code --device
 * /dev/fuse}), a bounding set without {@code CAP_SYS_ADMIN} (without {@code --cap-add SYS_ADMIN}),
 * libfuse2 or fusermount hidden under an empty file. Each failure is one line that says what to
 * do, from the background daemon as from a foreground mount. Needs root, as the mount tests do.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class MountEnvironmentIT {
    /** A /dev like a container's: a tmpfs with the usual devices and no fuse. */
    private static final String NO_DEVICE = "mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 "
            + "&& mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9";
    /** Every libfuse.so.2 the loader knows, replaced by an empty file. */
    private static final String NO_LIBRARY = "for f in $(ldconfig -p | sed -n 's/.*libfuse\\.so\\.2 .*=> //p'); do "
            + "mount --bind \"$EMPTY\" \"$(readlink -f \"$f\")\" || exit 9; done";
    /** A /dev/fuse that only root may open, as some hosts have it (its usual mode is 666). */
    private static final String ROOT_ONLY_DEVICE = "mknod -m 600 \"$EMPTY.fuse\" c 10 229 "
            + "&& mount --bind \"$EMPTY.fuse\" /dev/fuse";
    /** nobody, who may still read the class path under /root (read access only). */
    private static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps", "+dac_read_search", "--ambient-caps", "+dac_read_search", "--");
    /** fusermount, wherever libfuse 2 would look for it, replaced by an empty (not executable) file. */
    private static final String NO_FUSERMOUNT = "for f in /bin/fusermount /usr/bin/fusermount; do "
            + "if [ -e \"$f\" ]; then mount --bind \"$EMPTY\" \"$(readlink -f \"$f\")\" || exit 9; fi; done";

    @TempDir
    Path tmp;
    private Path remote;
    private Path mnt;
    private Path state;
    private Mounts mounts;

    @BeforeEach
    void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        remote = Files.createDirectories(tmp.resolve("remote"));
        mnt = Files.createDirectories(tmp.resolve("mnt"));
        state = Files.createDirectories(tmp.resolve("state"));
        for (Path p : List.of(mnt, state)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        Files.createFile(tmp.resolve("empty"));
        mounts = new Mounts(Map.of());
    }

    @AfterEach
    void tearDown() {
        mounts.close();
    }

    /**
     * {@code verso mount} of an empty directory remote, in a new mount namespace prepared by
     * {@code setup} (a shell command), optionally through {@code prefix} (setpriv).
     */
    private Result mountIn(String setup, List<String> prefix, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", "export EMPTY=\"$1\"; shift; " + setup + " && exec \"$@\"", "sh", tmp.resolve("empty").toString()));
        cmd.addAll(prefix);
        cmd.addAll(List.of("env", "XDG_STATE_HOME=" + state, "XDG_CACHE_HOME=" + state.resolve("cache"),
                "PATH=/usr/bin:/bin:/usr/sbin:/sbin"));
        List<String> args = new ArrayList<>(List.of("mount", "--remote-url", remote.toString(), mnt.toString()));
        args.addAll(List.of(options));
        cmd.addAll(VersoProcess.versoCommand(args.toArray(String[]::new)));
        return mounts.track(mnt, VersoProcess.run(tmp, cmd, Map.of(), Mounts.COMMAND_TIMEOUT));
    }

    /** The mount failed with one line, the last on stderr (a foreground mount logs there before it). */
    private static void assertOneLine(Result r, boolean foreground, String... parts) {
        assertEquals(1, r.exit(), r.toString());
        List<String> lines = r.err().strip().lines().toList();
        assertTrue(foreground || lines.size() == 1, "one line:\n" + r);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ")), "no stack trace:\n" + r);
        String err = lines.get(lines.size() - 1);
        assertTrue(err.startsWith("verso: cannot mount "), r.toString());
        for (String part : parts) {
            assertTrue(err.contains(part), "'" + part + "' in:\n" + r);
        }
    }

    @Test
    void noDevice_saysToAddTheDevice() throws Exception {
        assertOneLine(mountIn(NO_DEVICE, List.of()), false, "--device /dev/fuse", "modprobe fuse", "daemon log:");
        assertOneLine(mountIn(NO_DEVICE, List.of(), "--foreground"), true, "--device /dev/fuse");
    }

    @Test
    void noCapability_saysToAddIt() throws Exception {
        assertOneLine(mountIn("true", List.of("setpriv", "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin",
                "--")), false, "--cap-add SYS_ADMIN", "daemon log:");
    }

    @Test
    void noLibfuse2_namesThePackage() throws Exception {
        assertOneLine(mountIn(NO_LIBRARY, List.of()), false, "apt-get install libfuse2", "daemon log:");
    }

    @Test
    void noFusermount_forAUserOtherThanRoot_namesThePackage() throws Exception {
        assertOneLine(mountIn(NO_FUSERMOUNT, NOBODY), false, "apt-get install fuse3", "daemon log:");
    }

    @Test
    void deviceOnlyRootMayOpen_forAUserOtherThanRoot_saysHowToLetThem() throws Exception {
        assertOneLine(mountIn(ROOT_ONLY_DEVICE, NOBODY), false, "only root may open /dev/fuse",
                "chmod 666 /dev/fuse", "daemon log:");
    }
}
