package verso.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** The GET signer against the SDK's general SigV4 signer, the reference, on the same requests. */
final class GetSignerTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
        // endpoint, key, range, session token, time, region
        "https://bucket.s3.eu-west-1.amazonaws.com, data/objects/ab/cdef, -, -, 2026-11-27T10:15:30Z, eu-west-1",
        "https://s3.example.org:9000/bucket, p q/objects/ab/cd, bytes=0-99, -, 2026-01-05T00:00:00Z, us-east-1",
        "https://s3.example.org:443/b, ünï/cödé+x&y=z, bytes=4194304-, FwoGZXIvYXdzE+tok/en==, 2026-12-31T23:59:59Z, us-west-2",
    })
    void sign_matchesTheSdkSigner(String endpoint, String key, String range, String token, String time, String region) {
        URI uri = URI.create(endpoint + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        AwsCredentialsIdentity credentials = token == null
                ? AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
                : AwsSessionCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token);
        Instant now = Instant.parse(time);

        Map<String, String> mine = new GetSigner(region).sign(uri, range, credentials, now);

        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(uri)
                .putHeader("x-amz-content-sha256", GetSigner.UNSIGNED_PAYLOAD);
        if (range != null) {
            request.putHeader("Range", range);
        }
        SdkHttpRequest reference = AwsV4HttpSigner.create().sign(r -> r.identity(credentials).request(request.build())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC))).request();

        assertEquals(reference.firstMatchingHeader("Authorization").orElseThrow(), mine.get("Authorization"));
        assertEquals(reference.firstMatchingHeader("X-Amz-Date").orElseThrow(), mine.get("x-amz-date"));
        assertEquals(token, mine.get("x-amz-security-token"));
    }

    @Test
    void sign_derivesTheKeyAgainForANewDayOrNewCredentials() {
        URI uri = URI.create("https://b.s3.amazonaws.com/k");
        AwsCredentialsIdentity first = AwsBasicCredentials.create("A", "S1");
        AwsCredentialsIdentity rotated = AwsBasicCredentials.create("A", "S2");
        Instant day1 = Instant.parse("2026-11-27T23:59:59Z");
        Instant day2 = Instant.parse("2026-11-28T00:00:00Z");
        GetSigner reused = new GetSigner("us-east-1");
        reused.sign(uri, null, first, day1);
        assertEquals(new GetSigner("us-east-1").sign(uri, null, first, day2), reused.sign(uri, null, first, day2));
        assertEquals(new GetSigner("us-east-1").sign(uri, null, rotated, day2), reused.sign(uri, null, rotated, day2));
        assertNotEquals(reused.sign(uri, null, first, day2), reused.sign(uri, null, rotated, day2));
    }
}
