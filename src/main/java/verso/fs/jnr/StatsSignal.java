package verso.fs.jnr;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action when the process receives SIGUSR2 (falling back to SIGUSR1), for "print your
 * statistics". Uses {@code sun.misc.Signal}, which the JVM may refuse for a signal it uses itself;
 * then no signal is installed and the statistics appear only on exit.
 */
final class StatsSignal {
    private static final Logger LOG = LoggerFactory.getLogger(StatsSignal.class);

    private StatsSignal() {
    }

    static String install(Runnable action) {
        for (String name : new String[] {"USR2", "USR1"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
                LOG.info("send SIG{} to print mount statistics to this log", name);
                return name;
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // used by the JVM: try the next one
            }
        }
        return null;
    }
}
