package verso.remote;

import java.util.Objects;

/**
 * How to reach one remote, as a user configured it.
 *
 * @param name     the remote's name in the project config (such as {@code origin}); may be null
 * @param url      {@code s3://bucket/prefix}, {@code file:///dir}, or an absolute or relative directory path
 * @param endpoint an S3 endpoint such as {@code http://127.0.0.1:9000}; null to use {@code AWS_ENDPOINT_URL}
 *                 or AWS itself
 * @param region   an S3 region; null to use {@code AWS_REGION}, the AWS profile, or us-east-1 with an endpoint
 * @param pathStyle address buckets as {@code endpoint/bucket} rather than {@code bucket.endpoint}; always on
 *                 for an endpoint whose host is an IP address or {@code localhost}
 */
public record RemoteSpec(String name, String url, String endpoint, String region, boolean pathStyle) {
    public RemoteSpec {
        Objects.requireNonNull(url, "url");
    }

    /** A remote given only by its URL, with every S3 setting from the environment. */
    public static RemoteSpec of(String url) {
        return new RemoteSpec(null, url, null, null, false);
    }
}
