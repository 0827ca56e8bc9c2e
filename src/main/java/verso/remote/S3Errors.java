package verso.remote;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.UnknownHostException;
import java.util.Set;
import javax.xml.stream.XMLStreamException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one mapping from AWS SDK failures to the {@link Remote} contract: not found, retryable, or a
 * plain {@link RemoteException} whose message tells the user what to fix.
 */
final class S3Errors {
    private static final Set<String> CREDENTIAL_CODES = Set.of(
            "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
            "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed");
    private static final Set<String> RETRYABLE_CODES = Set.of(
            "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed",
            "InternalError", "ServiceUnavailable", "RequestLimitExceeded", "TooManyRequestsException",
            // An upload whose body changed on the way (Content-MD5 mismatch) or was cut short.
            "BadDigest", "IncompleteBody");
    static final String CREDENTIAL_SOURCES = "credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            + "else ~/.aws/credentials (profile AWS_PROFILE or default), else an instance or container role";

    private final String bucket;
    private final String endpoint;

    S3Errors(String bucket, String endpoint) {
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    /** Maps a failure of {@code operation} on {@code key} (a key relative to the remote). */
    IOException map(String operation, String key, SdkException e) {
        if (e instanceof AwsServiceException service) {
            return mapService(operation, key, service);
        }
        String what = what(operation, key);
        if (Thread.currentThread().isInterrupted()) {
            return new RemoteException(what + " was interrupted", e);
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unable to load credentials")) {
            return new RemoteException("no S3 credentials found for " + endpoint + ": " + CREDENTIAL_SOURCES, e);
        }
        IOException cause = cause(e, IOException.class);
        if (cause != null) {
            return mapIo(operation, key, cause);
        }
        XMLStreamException xml = cause(e, XMLStreamException.class);
        if (xml != null) {
            // An answer that is not XML at all (a proxy's HTML page, a body cut short) may pass.
            return new RemoteRetryableException(what + " failed: the answer is not S3 XML (" + describe(xml) + ")", e);
        }
        if (message.startsWith("Unable to unmarshall response")) {
            // XML whose values do not parse (a byte changed on the way): asked again, it may pass.
            return new RemoteRetryableException(what + " failed: " + describe(e), e);
        }
        if (e.retryable()) {
            return new RemoteRetryableException(what + " failed: " + describe(e), e);
        }
        return new RemoteException(what + " failed: " + message, e);
    }

    /** Maps a failure to reach the server or to exchange a request with it. */
    IOException mapIo(String operation, String key, IOException e) {
        if (e instanceof UnknownHostException) {
            return new RemoteException("cannot resolve host " + e.getMessage() + " of " + endpoint
                    + "; check the endpoint or the network", e);
        }
        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return new RemoteException(what(operation, key) + " was interrupted", e);
        }
        return new RemoteRetryableException(what(operation, key) + " failed: " + describe(e), e);
    }

    /** Maps a failure while reading a body that had started to arrive: the connection broke. */
    IOException mapRead(String key, IOException e) {
        if (e instanceof RemoteException || e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
            return e;
        }
        return new RemoteRetryableException("reading " + key + " from " + endpoint + " failed: " + describe(e), e);
    }

    /**
     * A success whose body lacks what S3 always sends ({@code expected}, such as "an S3 listing"): an answer
     * from something else than S3, a proxy perhaps, so it may pass.
     */
    IOException unexpectedAnswer(String operation, String key, String expected) {
        return new RemoteRetryableException(what(operation, key) + " failed: the answer is not " + expected, null);
    }

    private IOException mapService(String operation, String key, AwsServiceException e) {
        int status = e.statusCode();
        // A proxy, a load balancer or a partly compatible server may answer without an S3 error
        // document (HTML, an empty body, any status): its code and message are then absent.
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details == null || details.errorCode() == null ? "" : details.errorCode();
        String message = details == null ? "" : firstLine(details.errorMessage());
        if (code.equals("NoSuchBucket")) {
            return new RemoteException("bucket '" + bucket + "' does not exist at " + endpoint
                    + "; create it or fix the remote URL", e);
        }
        if (code.equals("NoSuchKey") || status == 404) {
            return new RemoteNotFoundException(key);
        }
        String answer = "HTTP " + status + (code.isEmpty() ? "" : " " + code);
        if (status == 403 || status == 401 || CREDENTIAL_CODES.contains(code)) {
            return new RemoteException(endpoint + " refused the credentials for bucket '" + bucket + "' ("
                    + (code.isEmpty() ? "HTTP " + status : code) + "); " + CREDENTIAL_SOURCES, e);
        }
        if (status >= 500 || status == 429 || RETRYABLE_CODES.contains(code) || e.isThrottlingException()) {
            return new RemoteRetryableException(what(operation, key) + " failed: " + answer, e);
        }
        return new RemoteException(what(operation, key) + " failed: " + answer
                + (message.isEmpty() ? "" : " (" + message + ")"), e);
    }

    private String what(String operation, String key) {
        return operation + (key.isEmpty() ? "" : " " + key) + " at " + endpoint;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        String name = t.getClass().getSimpleName();
        return m == null ? name : name + ": " + firstLine(m);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
