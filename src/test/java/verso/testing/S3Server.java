package verso.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import verso.remote.RemoteException;
import verso.remote.RemoteSpec;
import verso.remote.S3Remote;
import verso.remote.S3Settings;

/**
 * A real S3-compatible server (S3Proxy) on 127.0.0.1 (or another address) with signature authentication, storing objects
 * as files in a directory (jclouds {@code filesystem}), so large objects never sit in the heap. It
 * can be stopped and started again on the same port with the same data, to test recovery.
 *
 * <p>Run standalone with {@code scripts/s3server.sh} (or {@link #main}) for the demo and benchmarks.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "verso-access";
    public static final String SECRET_KEY = "verso-secret-key";

    static {
        // S3Proxy, Jetty and jclouds log at INFO on every start; tests and the demo want quiet.
        for (String logger : new String[] {"org.gaul", "org.eclipse.jetty", "org.jclouds", "jclouds"}) {
            String property = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(property) == null) {
                System.setProperty(property, "warn");
            }
        }
    }

    private final Path dir;
    private final boolean ownsDir;
    private final String host;
    private final String accessKey;
    private final String secretKey;
    private final BlobStoreContext context;
    private int port;
    private S3Proxy proxy;

    private S3Server(Path dir, boolean ownsDir, String host, int port, String accessKey, String secretKey) {
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.host = host;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        this.context = ContextBuilder.newBuilder("filesystem").overrides(properties).buildView(BlobStoreContext.class);
    }

    /** Starts a server on a free port over a fresh temp directory, deleted by {@link #close()}. */
    public static S3Server start() {
        try {
            S3Server server = new S3Server(Files.createTempDirectory("verso-s3-"), true, "127.0.0.1", 0, ACCESS_KEY,
                    SECRET_KEY);
            server.startProxy();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server over {@code dir} (kept on close) on {@code host}:{@code port} (0: a free one). */
    public static S3Server start(Path dir, String host, int port, String accessKey, String secretKey) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3Server server = new S3Server(dir.toAbsolutePath(), false, host, port, accessKey, secretKey);
        server.startProxy();
        return server;
    }

    /** Creates a bucket if it does not exist. */
    public S3Server createBucket(String bucket) {
        context.getBlobStore().createContainerInLocation(null, bucket);
        return this;
    }

    /** Stops serving; the port and the data are kept for {@link #restart()}. */
    public synchronized void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop S3Proxy", e);
            }
            proxy = null;
        }
    }

    /** Serves again on the same port with the same data. */
    public synchronized void restart() {
        if (proxy == null) {
            startProxy();
        }
    }

    public int port() {
        return port;
    }

    public URI endpoint() {
        return URI.create("http://" + host + ":" + port);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The directory holding the buckets (one subdirectory each). */
    public Path directory() {
        return dir;
    }

    /** The settings of a client of this server with the right credentials. */
    public S3Settings settings() {
        return settings(accessKey, secretKey);
    }

    /** The settings of a client of this server with the given (perhaps wrong) credentials. */
    public S3Settings settings(String key, String secret) {
        try {
            return S3Settings.resolve(spec("any", ""), Map.of(),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)));
        } catch (RemoteException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The remote settings a user would configure for {@code s3://bucket/prefix} on this server. */
    public RemoteSpec spec(String bucket, String prefix) {
        String url = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        return new RemoteSpec("test", url, endpoint().toString(), "us-east-1", true);
    }

    /** An unwrapped S3 remote for {@code bucket}, keys below {@code prefix} (empty, or ending with {@code /}). */
    public S3Remote remote(String bucket, String prefix) {
        return new S3Remote(bucket, prefix, settings());
    }

    /** Environment variables that point the AWS tools and verso at this server. */
    public Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey,
                "AWS_ENDPOINT_URL", endpoint().toString(), "AWS_REGION", "us-east-1");
    }

    @Override
    public void close() {
        stop();
        context.close();
        if (ownsDir) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // A temp directory left behind is harmless.
            }
        }
    }

    private void startProxy() {
        BlobStore store = context.getBlobStore();
        S3Proxy next = S3Proxy.builder()
                .blobStore(store)
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            next.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(next.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + next.getState());
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy on " + host + ":" + port, e);
        }
        port = next.getPort();
        proxy = next;
    }

    /**
     * {@code [--host H] --port N --dir D --bucket B [--access-key K --secret-key S]}; serves until
     * killed. A host other than 127.0.0.1 lets containers reach it (scripts/container-test.sh).
     */
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 0;
        Path dir = null;
        String bucket = "verso";
        String key = ACCESS_KEY;
        String secret = SECRET_KEY;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--dir" -> dir = Path.of(value);
                case "--bucket" -> bucket = value;
                case "--access-key" -> key = value;
                case "--secret-key" -> secret = value;
                default -> {
                    System.err.println("usage: S3Server [--host H] [--port N] [--dir D] [--bucket B] [--access-key K] [--secret-key S]");
                    System.exit(2);
                }
            }
            i++;
        }
        if (dir == null) {
            dir = Files.createTempDirectory("verso-s3-");
        }
        S3Server server = start(dir, host, port, key, secret).createBucket(bucket);
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        System.out.println("S3 endpoint " + server.endpoint() + " bucket " + bucket
                + " access-key " + key + " secret-key " + secret + " dir " + dir);
        System.out.flush();
        Thread.currentThread().join();
    }
}
