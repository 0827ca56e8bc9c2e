package verso.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import verso.fs.jnr.NativeDirectories;
import verso.remote.RemoteException;
import verso.repo.Directories;
import verso.repo.RepoException;
import verso.repo.Repository;
import verso.store.CorruptObjectException;
import verso.store.MissingObjectException;

/**
 * The {@code verso} command. Exit codes: 0 success, 1 a user error (one line on stderr saying what
 * and what to do), 2 bad usage, 3 an internal error (stack trace only with {@code --verbose}).
 */
@Command(name = "verso", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Version datasets the way git versions code; mount any version read-only.")
public final class Main implements Runnable {
    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> COMMANDS = List.of(InitCommand.class, AddCommand.class,
            CommitCommand.class, StatusCommand.class, LogCommand.class, DiffCommand.class, TagCommand.class,
            CheckoutCommand.class, GcCommand.class, VerifyCommand.class, RemoteCommand.class, PushCommand.class,
            FetchCommand.class, PullCommand.class, ImportCommand.class, MountCommand.class, PrefetchCommand.class,
            UmountCommand.class, TrainCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class);
    public static final int USER_ERROR = 1;
    public static final int INTERNAL_ERROR = 3;
    /** The start of the one line that reports an error. */
    static final String ERROR_PREFIX = "verso: ";
    /** Set by whichever thread reports running out of memory first: the others stay silent. */
    private static final AtomicBoolean OUT_OF_MEMORY_TOLD = new AtomicBoolean();
    private static final Directories DIRECTORIES = NativeDirectories.create();
    /** Heap given back when a thread runs out of memory, so that saying so does not run out too. */
    private static volatile byte[] reserve = new byte[256 << 10];

    @Option(names = "--verbose", description = "Show details: stack traces of internal errors, the requests push, "
            + "fetch and pull made to the remote.",
            scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @Option(names = "-C", paramLabel = "DIR", description = "Run as if verso was started in DIR.")
    Path directory;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (without exiting). */
    public static int run(String... args) {
        quietRemoteLog(args);
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        // picocli builds each command's model by reflection, about 110 ms for all of them in a cold
        // JVM: a command line naming a subcommand gets that one alone (help, completion, a mistyped
        // name and no subcommand at all get every one).
        Class<?> named = named(args);
        for (Class<?> c : named == null ? COMMANDS : List.of(named)) {
            cl.addSubcommand(c);
        }
        cl.setExecutionExceptionHandler((Exception e, CommandLine cmd, ParseResult parsed) ->
                main.report(e, cmd.getErr()));
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return main.report(e, cl.getErr()); // picocli hands only exceptions to the handler
        }
    }

    /**
     * A thread other than main died. Out of memory ends the command with the same line as on the main
     * thread (which may be waiting for that thread's work forever); anything else is a bug, printed as
     * the JVM would.
     */
    static void uncaught(Thread thread, Throwable e) {
        if (cause(e, OutOfMemoryError.class) == null) {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            e.printStackTrace();
            return;
        }
        reserve = null;
        try {
            if (OUT_OF_MEMORY_TOLD.compareAndSet(false, true)) {
                System.err.println(ERROR_PREFIX + outOfMemory());
                System.err.flush();
            }
            System.exit(USER_ERROR);
        } finally {
            Runtime.getRuntime().halt(USER_ERROR); // if even that ran out of memory: never hang
        }
    }

    /** The subcommand the arguments name (the first one not an option of verso itself), if it is one. */
    private static Class<?> named(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-C")) {
                i++; // its value
            } else if (!args[i].startsWith("-")) {
                for (Class<?> c : COMMANDS) {
                    Command command = c.getAnnotation(Command.class);
                    if (c != CommandLine.HelpCommand.class && c != CompletionCommand.class
                            && (command.name().equals(args[i]) || List.of(command.aliases()).contains(args[i]))) {
                        return c;
                    }
                }
                return null;
            }
        }
        return null;
    }

    /**
     * A command prints one line per error itself; the remote layer's per-request warnings would repeat
     * it on stderr, so they are shown only with --verbose (unless logging is configured explicitly).
     */
    private static void quietRemoteLog(String... args) {
        String property = "org.slf4j.simpleLogger.log.verso.remote";
        if (System.getProperty(property) == null && !java.util.Arrays.asList(args).contains("--verbose")) {
            System.setProperty(property, "error");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The directory the command acts in. */
    Path cwd() {
        Path here = Paths.get(System.getProperty("user.dir"));
        return directory == null ? here : here.resolve(directory).normalize();
    }

    /** The repository of the working directory, its workspace scanned with the native calls where they work. */
    Repository openRepository() throws IOException {
        Repository repo = Repository.open(cwd());
        repo.useDirectories(DIRECTORIES);
        return repo;
    }

    private int report(Throwable e, PrintWriter err) {
        String line;
        int code = USER_ERROR;
        String environment = environmental(e);
        if (environment != null) {
            line = environment;
        } else if (e instanceof RepoException || e instanceof RemoteException) {
            line = e.getMessage();
        } else if (e instanceof CorruptObjectException) {
            line = e.getMessage() + "; run verso verify, then fetch a good copy from a remote";
        } else if (e instanceof MissingObjectException) {
            line = e.getMessage() + "; fetch it from a remote with verso fetch";
        } else if (e instanceof NoSuchFileException n) {
            line = n.getFile() + ": no such file or directory; check the path";
        } else if (e instanceof AccessDeniedException a) {
            line = a.getFile() + ": permission denied; check its permissions";
        } else {
            code = INTERNAL_ERROR;
            line = "internal error: " + e + (verbose ? "" : "; run again with --verbose for details");
        }
        if (cause(e, OutOfMemoryError.class) != null && !OUT_OF_MEMORY_TOLD.compareAndSet(false, true)) {
            return code; // another thread ran out of memory first and said so
        }
        err.println(ERROR_PREFIX + line);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** The line for a failure of the machine verso runs on (memory, disk), wherever it was caught; else null. */
    private static String environmental(Throwable e) {
        if (cause(e, OutOfMemoryError.class) != null) {
            return outOfMemory();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String file = t instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " : "";
            String reason = String.valueOf(t instanceof FileSystemException f ? f.getReason() : t.getMessage());
            if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
                return file + "disk full (" + reason + "); free some space and run the command again";
            }
            if (reason.contains("Read-only file system")) {
                return file + "read-only file system; make it writable, or move the cache (\"cache\" in .verso/config)";
            }
        }
        return null;
    }

    private static String outOfMemory() {
        long mib = Runtime.getRuntime().maxMemory() >> 20;
        long suggestedGib = Math.max(1, (2 * mib + 1023) >> 10);
        return "out of memory (the Java heap is limited to " + mib + " MiB); run with a larger heap, e.g. "
                + "JAVA_OPTS=-Xmx" + suggestedGib + "g";
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"verso " + (v == null ? "0.1.0" : v)};
        }
    }
}
