package verso.remote;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Everything needed to build an {@link S3Client} for one remote, resolved once from the remote's
 * settings and the environment, following the AWS tools' conventions.
 *
 * @param endpoint           null for AWS itself
 * @param region             never null once resolved
 * @param pathStyle          {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key}
 * @param credentials        where credentials come from (the default chain unless a test gives its own)
 * @param multipartThreshold files larger than this are uploaded in parts
 * @param partSize           the size of each part but the last (S3 requires at least 5 MiB)
 * @param maxConnections     the HTTP connection pool size
 * @param socketTimeout      how long a read on an open connection may wait for the next byte
 */
public record S3Settings(URI endpoint, String region, boolean pathStyle, AwsCredentialsProvider credentials,
                         long multipartThreshold, long partSize, int maxConnections, Duration socketTimeout) {
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;
    public static final long DEFAULT_PART_SIZE = 8L << 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    /** The smallest part S3 accepts (but for the last). */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** Short, so that an unreachable endpoint fails in seconds; our retry wrapper decides about trying again. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A stalled read on an open connection; generous because S3 may pause under load. */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

    public S3Settings {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(credentials, "credentials");
        if (partSize < MIN_PART_SIZE || multipartThreshold < partSize || maxConnections < 1
                || socketTimeout.isNegative() || socketTimeout.isZero()) {
            throw new IllegalArgumentException("invalid S3 settings: part size " + partSize
                    + ", multipart threshold " + multipartThreshold + ", connections " + maxConnections
                    + ", socket timeout " + socketTimeout);
        }
    }

    /**
     * Settings for a port on this machine where nothing answers, with fixed credentials: every request
     * fails at once, having run the client's code (to train the launcher's class-data archive). Files
     * over {@link #MIN_PART_SIZE} go up in parts, so that a small file trains the multipart upload too.
     */
    public static S3Settings unreachable() {
        return new S3Settings(URI.create("http://127.0.0.1:1"), "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("train", "train")),
                MIN_PART_SIZE, MIN_PART_SIZE, 1, DEFAULT_SOCKET_TIMEOUT);
    }

    /** A path-style server at {@code endpoint} with throwaway credentials (the launcher's training run). */
    public static S3Settings local(URI endpoint) {
        return new S3Settings(endpoint, "us-east-1", true,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("train", "train")),
                DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, DEFAULT_MAX_CONNECTIONS, DEFAULT_SOCKET_TIMEOUT);
    }

    /** Resolves a remote's settings against the process environment. */
    public static S3Settings resolve(RemoteSpec spec) throws RemoteException {
        return resolve(spec, System.getenv(), DefaultCredentialsProvider.builder().build());
    }

    /**
     * Endpoint: the remote's own, else {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else AWS.
     * Region: the remote's own, else {@code AWS_REGION} / {@code AWS_DEFAULT_REGION}, else us-east-1 when an
     * endpoint is set (S3-compatible servers mostly ignore it), else the AWS profile, else us-east-1.
     */
    public static S3Settings resolve(RemoteSpec spec, Map<String, String> env, AwsCredentialsProvider credentials)
            throws RemoteException {
        String endpointText = firstNonBlank(spec.endpoint(), env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"));
        URI endpoint = endpointText == null ? null : parseEndpoint(endpointText);
        String region = firstNonBlank(spec.region(), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (region == null) {
            region = endpoint != null ? "us-east-1" : profileRegion();
        }
        boolean pathStyle = spec.pathStyle() || (endpoint != null && isLocalHost(endpoint.getHost()));
        return new S3Settings(endpoint, region, pathStyle, credentials,
                DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, DEFAULT_MAX_CONNECTIONS, DEFAULT_SOCKET_TIMEOUT);
    }

    /** The same settings with other multipart sizes. */
    public S3Settings withMultipart(long threshold, long part) {
        return new S3Settings(endpoint, region, pathStyle, credentials, threshold, part, maxConnections, socketTimeout);
    }

    /** The same settings with another socket timeout. */
    public S3Settings withSocketTimeout(Duration timeout) {
        return new S3Settings(endpoint, region, pathStyle, credentials, multipartThreshold, partSize, maxConnections,
                timeout);
    }

    /** Where requests go, for messages. */
    public String describeEndpoint() {
        return endpoint != null ? endpoint.toString() : "AWS S3 (" + region + ")";
    }

    /** The HTTP connection pool; its owner closes it (the client built on it does not). */
    SdkHttpClient newHttpClient() {
        return ApacheHttpClient.builder()
                .maxConnections(maxConnections)
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(socketTimeout)
                .connectionAcquisitionTimeout(Duration.ofSeconds(60))
                .tcpKeepAlive(true)
                // Without "Expect: 100-continue" a PUT costs one round trip less, and a PUT refused before
                // its body was sent no longer leaves a pooled connection the server has closed.
                .expectContinueEnabled(false)
                .build();
    }

    S3Client newClient(SdkHttpClient http) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(http)
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .putAuthScheme(new UnsignedPayloadAuthScheme())
                // Objects are verified by SHA-256 above this layer; the SDK's newer default checksums
                // cost CPU and are not understood by every S3-compatible server.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Retries live in one place, RetryingRemote, so they are counted and bounded once.
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        } else {
            builder.crossRegionAccessEnabled(true);
        }
        return builder.build();
    }

    private static URI parseEndpoint(String text) throws RemoteException {
        String withScheme = text;
        if (!text.contains("://")) {
            String host = text.replaceFirst("[:/].*$", "");
            withScheme = (isLocalHost(host) ? "http://" : "https://") + text;
        }
        try {
            URI uri = URI.create(withScheme);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new RemoteException("invalid S3 endpoint '" + text + "': expected a URL such as http://127.0.0.1:9000");
        }
    }

    private static boolean isLocalHost(String host) {
        if (host == null) {
            return false;
        }
        return host.equalsIgnoreCase("localhost") || host.matches("[0-9.]+") || host.startsWith("[");
    }

    private static String profileRegion() {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (RuntimeException e) {
            return "us-east-1";
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
