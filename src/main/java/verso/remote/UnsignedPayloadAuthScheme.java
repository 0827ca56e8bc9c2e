package verso.remote;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 as the SDK does it, except that an upload over plain {@code http://} is signed with
 * {@code UNSIGNED-PAYLOAD}, as every upload over HTTPS already is.
 *
 * <p>Over plain HTTP the SDK insists on hashing each request body before sending it, which costs a
 * pass over every byte pushed (measured: most of the client's CPU in a push to a server on the same
 * machine, where that CPU is what the server needs). Signing the body protects it in transit, which
 * plain HTTP does not otherwise; verso's objects need no such protection to stay correct, since every
 * object is named by its SHA-256 and verified on every fetch, mount read and {@code verify --remote}.
 * Requests without a body, and everything over HTTPS, are signed exactly as the SDK would.
 */
final class UnsignedPayloadAuthScheme implements AuthScheme<AwsCredentialsIdentity> {
    private final AwsV4AuthScheme v4 = AwsV4AuthScheme.create();
    private final HttpSigner<AwsCredentialsIdentity> signer = new Signer(v4.signer());

    @Override
    public String schemeId() {
        return AwsV4AuthScheme.SCHEME_ID;
    }

    @Override
    public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
        return v4.identityProvider(providers);
    }

    @Override
    public HttpSigner<AwsCredentialsIdentity> signer() {
        return signer;
    }

    private record Signer(HttpSigner<AwsCredentialsIdentity> v4) implements HttpSigner<AwsCredentialsIdentity> {
        @Override
        public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
            if (request.payload().isEmpty() || "https".equals(request.request().protocol())) {
                return v4.sign(request);
            }
            // Signed as a request without a body (so UNSIGNED-PAYLOAD), then sent with its body.
            SignedRequest signed = v4.sign(request.copy(b -> b.payload(null)));
            return signed.copy(b -> b.payload(request.payload().get()));
        }

        @Override
        public CompletableFuture<AsyncSignedRequest> signAsync(
                AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
            return v4.signAsync(request); // verso uses the synchronous client only
        }
    }
}
