package verso.fs.jnr;

import com.sun.security.auth.module.UnixSystem;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Whether this process can make a FUSE mount, checked before libfuse tries: libfuse's own reasons
 * ("fuse: device not found, try 'modprobe fuse' first", a stack trace from the library loader) do
 * not say what to install or which flag a container needs. Each missing piece is one line that does.
 *
 * <p>The checks follow libfuse 2's mount: load {@code libfuse.so.2}; open {@code /dev/fuse}; call
 * {@code mount(2)}, which needs {@code CAP_SYS_ADMIN}; failing that (a user other than root), run
 * the set-uid {@code fusermount}, which can only gain the capability if the bounding set still has
 * it, and which needs the user to be able to open {@code /dev/fuse}. A container started without
 * {@code --cap-add SYS_ADMIN} has the capability in neither.
 */
final class FuseEnvironment {
    static final Path DEVICE = Path.of("/dev/fuse");
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final int CAP_SYS_ADMIN = 21;
    /** Where libfuse 2 looks for fusermount first (Debian's build), before the PATH. */
    private static final Path FUSERMOUNT_DIR = Path.of("/bin");

    private FuseEnvironment() {
    }

    /** Throws with one line saying what is missing and how to get it; returns if a mount can be tried. */
    static void check() throws IOException {
        try {
            FuseDevice.fuse();
        } catch (LinkageError e) {
            throw new IOException("libfuse2 is not installed (verso loads libfuse.so.2); install it with: "
                    + "apt-get install libfuse2");
        }
        if (!isDevice(DEVICE)) {
            throw new IOException(DEVICE + " is missing: start the container with --device /dev/fuse "
                    + "(Kubernetes: a privileged container or a FUSE device plugin); on a host, load the "
                    + "module with: modprobe fuse");
        }
        if (!boundingSetHas(CAP_SYS_ADMIN)) {
            throw new IOException("this process may not mount (it lacks the capability CAP_SYS_ADMIN): start "
                    + "the container with --cap-add SYS_ADMIN (Kubernetes: securityContext.capabilities.add: "
                    + "[SYS_ADMIN], or privileged: true)");
        }
        boolean root = new UnixSystem().getUid() == 0;
        if (!root && fusermount().isEmpty()) {
            throw new IOException("fusermount is not installed (a user other than root mounts with it); "
                    + "install it with: apt-get install fuse3");
        }
        if (!root && !(Files.isReadable(DEVICE) && Files.isWritable(DEVICE))) {
            throw new IOException("only root may open " + DEVICE + " here: let every user read and write it "
                    + "(chmod 666 " + DEVICE + ", its usual mode), or mount as root");
        }
    }

    private static boolean isDevice(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }

    /** True if the capability is in this process's bounding set (or the kernel does not say). */
    private static boolean boundingSetHas(int capability) throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("CapBnd:")) {
                return new BigInteger(line.substring("CapBnd:".length()).strip(), 16).testBit(capability);
            }
        }
        return true;
    }

    private static Optional<Path> fusermount() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (FUSERMOUNT_DIR + File.pathSeparator + path).split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, "fusermount");
                if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }
}
