package verso.remote;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

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
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public RemoteSpec {
        Objects.requireNonNull(url, "url");
    }

    /** Checks the name, the URL's form and the endpoint's form, without any network access. */
    public RemoteSpec validate() throws RemoteException {
        if (name != null && !NAME.matcher(name).matches()) {
            throw new RemoteException("invalid remote name '" + name
                    + "'; use letters, digits, '.', '_' or '-' (at most 64)");
        }
        if (url.isBlank() || url.indexOf('\0') >= 0) {
            throw new RemoteException("invalid remote URL; give s3://bucket/prefix or a directory path");
        }
        RemoteUrl.parse(url, Path.of(""));
        if (endpoint != null && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
            throw new RemoteException("invalid endpoint '" + endpoint + "'; use http://host:port or https://host");
        }
        return this;
    }

    public boolean isS3() {
        return url.startsWith("s3://");
    }

    /** A remote given only by its URL, with every S3 setting from the environment. */
    public static RemoteSpec of(String url) {
        return new RemoteSpec(null, url, null, null, false);
    }
}
