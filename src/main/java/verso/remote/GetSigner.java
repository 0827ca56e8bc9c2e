package verso.remote;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * AWS Signature Version 4 for the one request the mount sends most: a GET of an object, with an
 * optional Range, and an unsigned payload (a GET has none). It writes the same signature as the SDK's
 * general signer for such a request (checked in tests), with a fraction of its work per request: one
 * hash and one HMAC, the signing key being derived once per day and credentials.
 *
 * <p>The request is signed for the headers the HTTP client sends: {@code Host} as the client writes
 * it (the port only when not the scheme's default), and the headers returned by {@link #sign}.
 */
final class GetSigner {
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final HexFormat HEX = HexFormat.of();

    private final String region;
    /** The signing key of the last request's day and credentials. */
    private volatile SigningKey key;

    private record SigningKey(String day, String accessKey, String secret, byte[] bytes) {
    }

    GetSigner(String region) {
        this.region = region;
    }

    /**
     * The headers that sign a GET of {@code uri} (whose path is already URI-encoded) at {@code now}:
     * {@code x-amz-date}, {@code x-amz-content-sha256}, the session token if any, and
     * {@code Authorization}. {@code range} may be null.
     */
    Map<String, String> sign(URI uri, String range, AwsCredentialsIdentity credentials, Instant now) {
        String amzDate = amzDate(now);
        SigningKey k = signingKey(amzDate.substring(0, 8), credentials);
        String token = credentials instanceof AwsSessionCredentialsIdentity session ? session.sessionToken() : null;
        StringBuilder canonical = new StringBuilder(256).append("GET\n").append(uri.getRawPath()).append("\n\n")
                .append("host:").append(hostHeader(uri)).append('\n');
        String signed = "host";
        if (range != null) {
            canonical.append("range:").append(range).append('\n');
            signed += ";range";
        }
        canonical.append("x-amz-content-sha256:").append(UNSIGNED_PAYLOAD).append('\n')
                .append("x-amz-date:").append(amzDate).append('\n');
        signed += ";x-amz-content-sha256;x-amz-date";
        if (token != null) {
            canonical.append("x-amz-security-token:").append(token).append('\n');
            signed += ";x-amz-security-token";
        }
        canonical.append('\n').append(signed).append('\n').append(UNSIGNED_PAYLOAD);

        String scope = k.day() + "/" + region + "/s3/aws4_request";
        String toSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + HEX.formatHex(sha256(canonical));
        String signature = HEX.formatHex(hmac(k.bytes(), toSign));

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amz-date", amzDate);
        headers.put("x-amz-content-sha256", UNSIGNED_PAYLOAD);
        if (token != null) {
            headers.put("x-amz-security-token", token);
        }
        headers.put("Authorization", ALGORITHM + " Credential=" + k.accessKey() + "/" + scope
                + ", SignedHeaders=" + signed + ", Signature=" + signature);
        return headers;
    }

    /** The Host header as the SDK's HTTP client writes it: the port only if not the scheme's default. */
    static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean standard = port == -1 || ("http".equals(uri.getScheme()) && port == 80)
                || ("https".equals(uri.getScheme()) && port == 443);
        return standard ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** {@code yyyyMMdd'T'HHmmss'Z'} in UTC. */
    static String amzDate(Instant now) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(now.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(16);
        digits(b, t.getYear(), 4);
        digits(b, t.getMonthValue(), 2);
        digits(b, t.getDayOfMonth(), 2);
        b.append('T');
        digits(b, t.getHour(), 2);
        digits(b, t.getMinute(), 2);
        digits(b, t.getSecond(), 2);
        return b.append('Z').toString();
    }

    private static void digits(StringBuilder b, int value, int width) {
        String s = Integer.toString(value);
        b.append("0000", 0, width - s.length()).append(s);
    }

    private SigningKey signingKey(String day, AwsCredentialsIdentity credentials) {
        SigningKey k = key;
        String accessKey = credentials.accessKeyId();
        String secret = credentials.secretAccessKey();
        if (k == null || !k.day().equals(day) || !k.accessKey().equals(accessKey) || !k.secret().equals(secret)) {
            byte[] bytes = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), day);
            bytes = hmac(bytes, region);
            bytes = hmac(bytes, "s3");
            k = new SigningKey(day, accessKey, secret, hmac(bytes, "aws4_request"));
            key = k;
        }
        return k;
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    private static byte[] sha256(CharSequence text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
