package verso.remote;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** A parsed remote URL: an S3 bucket and prefix, or a local directory. */
public sealed interface RemoteUrl permits RemoteUrl.S3, RemoteUrl.Directory {

    /** {@code s3://bucket/prefix}; {@code prefix} is empty or ends with {@code /}. */
    record S3(String bucket, String prefix) implements RemoteUrl {
        @Override
        public String toString() {
            return "s3://" + bucket + "/" + prefix;
        }
    }

    /** A directory, absolute. */
    record Directory(Path path) implements RemoteUrl {
        @Override
        public String toString() {
            return path.toString();
        }
    }

    /** Bucket names as S3 allows them today: 3-63 of lower-case letters, digits, dots and hyphens. */
    Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /**
     * Parses {@code s3://bucket[/prefix]}, {@code file:///dir}, or a path; a relative path is resolved
     * against {@code base}. Any other scheme is refused rather than mistaken for a directory name.
     */
    static RemoteUrl parse(String url, Path base) throws RemoteException {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("s3://")) {
            String rest = url.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : trimSlashes(rest.substring(slash + 1));
            if (!BUCKET.matcher(bucket).matches()) {
                throw new RemoteException("invalid S3 bucket name '" + bucket + "' in remote URL " + url);
            }
            if (!prefix.isEmpty()) {
                try {
                    RemoteKeys.check(prefix);
                } catch (IllegalArgumentException e) {
                    throw new RemoteException("invalid prefix '" + prefix + "' in remote URL " + url);
                }
                prefix += "/";
            }
            return new S3(bucket, prefix);
        }
        if (lower.startsWith("file:")) {
            try {
                return new Directory(Path.of(new URI(url)).normalize());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new RemoteException("invalid file URL " + url + ": use file:///absolute/path");
            }
        }
        if (url.isEmpty() || url.matches("[A-Za-z][A-Za-z0-9+.-]+://.*")) {
            throw new RemoteException("unsupported remote URL '" + url
                    + "': use s3://bucket/prefix, file:///path or a directory path");
        }
        return new Directory(base.resolve(url).toAbsolutePath().normalize());
    }

    private static String trimSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }
}
