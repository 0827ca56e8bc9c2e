package verso.fs.jnr;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The foreground daemon's signals, through {@code sun.misc.Signal}: SIGTERM and SIGINT stop it (a
 * clean stop, so the process exits 0 rather than the JVM's 143 or 130, which service managers and
 * orchestrators read as a failure), and SIGUSR2 (falling back to SIGUSR1) prints statistics. The
 * JVM may refuse a signal it uses itself; then that handler is not installed.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /** Runs {@code action} on SIGTERM and SIGINT instead of exiting. */
    static void onStop(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            install(name, action);
        }
    }

    /** Runs {@code action} on SIGUSR2, or SIGUSR1 if the JVM keeps SIGUSR2; returns the signal's name. */
    static String onStats(Runnable action) {
        for (String name : new String[] {"USR2", "USR1"}) {
            if (install(name, action)) {
                LOG.info("send SIG{} to print mount statistics to this log", name);
                return name;
            }
        }
        return null;
    }

    private static boolean install(String name, Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false; // used by the JVM
        }
    }
}
