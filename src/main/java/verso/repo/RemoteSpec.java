package verso.repo;

import java.util.regex.Pattern;

/**
 * A configured remote: its name and URL ({@code s3://bucket/prefix} or a directory path), and the
 * optional S3 settings that override the AWS tools' defaults.
 */
public record RemoteSpec(String name, String url, String endpoint, String region, boolean pathStyle) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    public boolean isS3() {
        return url.startsWith("s3://");
    }

    /** Checks a remote name. */
    public static void checkName(String name) throws RepoException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RepoException("invalid remote name '" + name
                    + "'; use letters, digits, '.', '_' or '-' (at most 64)");
        }
    }

    /** Checks the form of a URL: {@code s3://bucket[/prefix]} or a directory path. No network. */
    public static void checkUrl(String url) throws RepoException {
        if (url == null || url.isBlank()) {
            throw new RepoException("empty remote URL; give s3://bucket/prefix or a directory path");
        }
        if (url.startsWith("s3://")) {
            String rest = url.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
                throw new RepoException("invalid S3 bucket name '" + bucket + "' in " + url
                        + "; a bucket has 3-63 lower-case letters, digits, '.' or '-'");
            }
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (prefix.contains("//") || prefix.contains("\\")) {
                throw new RepoException("invalid S3 prefix in " + url + "; use s3://bucket/some/prefix");
            }
        } else if (url.startsWith("file://")) {
            if (url.length() == "file://".length()) {
                throw new RepoException("empty path in " + url + "; use file:///some/dir or a plain path");
            }
        } else if (SCHEME.matcher(url).matches()) {
            throw new RepoException("unsupported remote URL " + url
                    + "; use s3://bucket/prefix or a directory path");
        } else if (url.indexOf('\0') >= 0) {
            throw new RepoException("invalid remote path; remove the NUL character");
        }
    }

    /** Checks an endpoint URL (http or https). */
    public static void checkEndpoint(String endpoint) throws RepoException {
        if (endpoint != null && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
            throw new RepoException("invalid endpoint '" + endpoint + "'; use http://host:port or https://host");
        }
    }
}
