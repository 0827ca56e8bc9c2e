package verso.remote;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.Abortable;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.http.SdkHttpUtils;
import verso.store.DaemonThreads;

/**
 * A remote in an S3 bucket under a prefix, through the AWS SDK's synchronous client.
 *
 * <p>Ranged reads are single GETs with {@code Range: bytes=a-b}; a range that starts at or past the
 * end answers 416, which is the empty result rather than an error. GETs are the mount's hot path
 * (one per block, one per directory), so they skip the SDK's request pipeline — endpoint rules,
 * interceptors, metrics, response unmarshalling, measured at more CPU than the transfer itself — and
 * go straight to the SDK's HTTP client, signed by {@link GetSigner} (SigV4 for a GET alone), at the
 * URL the SDK itself would use. Any answer but data (a missing key, refused credentials, a bucket in
 * another region) is asked again through the SDK client, so errors read exactly as for every other
 * request.
 *
 * <p>Large files are uploaded as a multipart upload whose parts go in parallel on a small pool, each
 * part streamed from its own slice of the file (never held in memory); any failure aborts the upload
 * so no parts are left billed. The SDK does not retry: {@link RetryingRemote} does, and every SDK
 * failure goes through {@link S3Errors}.
 */
public final class S3Remote implements Remote {
    /** Closing a stream with more than this left unread drops the connection instead of draining it. */
    private static final long DRAIN_LIMIT = 256 << 10;
    private static final int PART_THREADS = 8;

    private final SdkHttpClient http;
    private final S3Client s3;
    /** The object URL of key "" below the prefix's bucket, as the SDK resolves it. */
    private final String baseUrl;
    private final GetSigner signer;
    /** Cleared when the bucket answers a direct GET with a redirect the SDK must follow (another region). */
    private volatile boolean directGets = true;
    /** GETs answered through the SDK client (after a direct GET got no data, or with direct GETs off). */
    private final AtomicLong sdkGets = new AtomicLong();
    private final String bucket;
    private final String prefix;
    private final S3Settings settings;
    private final S3Errors errors;
    private final ExecutorService parts;

    /** Connects to {@code bucket} (keys below {@code prefix}, empty or ending with {@code /}); lazily, no request yet. */
    public S3Remote(String bucket, String prefix, S3Settings settings) {
        if (!prefix.isEmpty()) {
            RemoteKeys.check(prefix.substring(0, prefix.length() - 1));
            if (!prefix.endsWith("/")) {
                throw new IllegalArgumentException("S3 prefix must end with '/': " + prefix);
            }
        }
        this.bucket = bucket;
        this.prefix = prefix;
        this.settings = settings;
        this.errors = new S3Errors(bucket, settings.describeEndpoint());
        this.signer = new GetSigner(settings.region());
        this.http = settings.newHttpClient();
        this.s3 = settings.newClient(http);
        String probe = s3.utilities().getUrl(b -> b.bucket(bucket).key("k")).toString();
        this.baseUrl = probe.substring(0, probe.length() - 1);
        this.parts = Executors.newFixedThreadPool(PART_THREADS, DaemonThreads.numbered("verso-s3-part"));
    }

    @Override
    public InputStream get(String key, long offset, long length) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset: " + offset);
        }
        if (length == 0) {
            size(key); // still reports a missing key
            return InputStream.nullInputStream();
        }
        String range = offset > 0 || length > 0
                ? "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1)) : null;
        if (directGets) {
            InputStream direct = directGet(key, range);
            if (direct != null) {
                return direct;
            }
        }
        sdkGets.incrementAndGet();
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(full(key)).range(range);
        try {
            ResponseInputStream<GetObjectResponse> response = s3.getObject(request.build());
            Long contentLength = response.response().contentLength();
            return new Body(key, response, response, contentLength == null ? Long.MAX_VALUE : contentLength);
        } catch (AwsServiceException e) {
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream(); // the key exists; the range starts at or past its end
            }
            throw errors.map("get", key, e);
        } catch (SdkException e) {
            throw errors.map("get", key, e);
        }
    }

    /** A GET through the HTTP client alone: the body, an empty stream for 416, else null (ask the SDK). */
    private InputStream directGet(String key, String range) throws IOException {
        URI uri = URI.create(baseUrl + SdkHttpUtils.urlEncodeIgnoreSlashes(full(key)));
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(uri);
        if (range != null) {
            request.putHeader("Range", range);
        }
        AwsCredentialsIdentity identity;
        try {
            identity = settings.credentials().resolveCredentials();
        } catch (SdkException e) {
            throw errors.map("get", key, e);
        }
        signer.sign(uri, range, identity, Instant.now()).forEach(request::putHeader);
        HttpExecuteResponse response;
        try {
            response = http.prepareRequest(HttpExecuteRequest.builder().request(request.build()).build()).call();
        } catch (IOException e) {
            throw errors.mapIo("get", key, e);
        }
        int status = response.httpResponse().statusCode();
        AbortableInputStream body = response.responseBody().orElse(AbortableInputStream.createEmpty());
        if (status == 200 || status == 206) {
            long length = response.httpResponse().firstMatchingHeader("Content-Length")
                    .map(Long::parseLong).orElse(Long.MAX_VALUE);
            return new Body(key, body, body, length);
        }
        body.abort();
        body.close();
        if (status == 416) {
            return InputStream.nullInputStream();
        }
        if (status == 301 || status == 307 || status == 400) {
            directGets = false; // a bucket in another region, or an addressing the SDK knows to redirect
        }
        return null;
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        try {
            String md5 = md5(data);
            s3.putObject(b -> b.bucket(bucket).key(full(key)).contentLength((long) data.length).contentMD5(md5),
                    RequestBody.fromBytes(data));
        } catch (SdkException e) {
            throw errors.map("put", key, e);
        }
    }

    @Override
    public void put(String key, Path file) throws IOException {
        long size = Files.size(file);
        if (size > settings.multipartThreshold()) {
            putMultipart(key, file, size);
            return;
        }
        String md5 = md5(file, 0, size);
        try {
            s3.putObject(b -> b.bucket(bucket).key(full(key)).contentLength(size).contentMD5(md5),
                    RequestBody.fromContentProvider(() -> openSlice(file, 0, size), size, "application/octet-stream"));
        } catch (SdkException e) {
            throw errors.map("put", key, e);
        } catch (UncheckedIOException e) {
            throw unchecked("put", key, e);
        }
    }

    private void putMultipart(String key, Path file, long size) throws IOException {
        String fullKey = full(key);
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(fullKey)).uploadId();
        } catch (SdkException e) {
            throw errors.map("put", key, e);
        } catch (UncheckedIOException e) {
            throw unchecked("put", key, e);
        }
        if (uploadId == null) {
            throw errors.unexpectedAnswer("put", key, "the start of an S3 multipart upload");
        }
        long partSize = settings.partSize();
        int count = (int) ((size + partSize - 1) / partSize);
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<CompletedPart>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int number = i + 1;
            long offset = i * partSize;
            long length = Math.min(partSize, size - offset);
            futures.add(parts.submit(() -> {
                if (failed.get()) {
                    return null; // another part failed; don't spend bandwidth on a doomed upload
                }
                try {
                    String md5 = md5(file, offset, length);
                    String etag = s3.uploadPart(b -> b.bucket(bucket).key(fullKey).uploadId(uploadId)
                                    .partNumber(number).contentLength(length).contentMD5(md5),
                            RequestBody.fromContentProvider(() -> openSlice(file, offset, length), length,
                                    "application/octet-stream")).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                } catch (RuntimeException e) {
                    failed.set(true);
                    throw e;
                }
            }));
        }
        // Wait for every part, even after a failure, so the abort below comes after the last part.
        List<CompletedPart> completed = new ArrayList<>(count);
        Throwable failure = null;
        for (Future<CompletedPart> f : futures) {
            try {
                completed.add(f.get());
            } catch (ExecutionException e) {
                failure = failure == null ? e.getCause() : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.set(true);
                failure = failure == null ? e : failure;
            }
        }
        try {
            if (failure == null) {
                // Without an ETag the answer did not say that the object was assembled.
                if (s3.completeMultipartUpload(b -> b.bucket(bucket).key(fullKey).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(completed))).eTag() != null) {
                    return;
                }
                failure = errors.unexpectedAnswer("put", key, "the end of an S3 multipart upload");
            }
        } catch (SdkException | UncheckedIOException e) {
            failure = e;
        }
        abort(fullKey, uploadId);
        throw mapFailure(key, failure);
    }

    /**
     * The Content-MD5 of an upload: the server refuses a body changed on the way (BadDigest, retried)
     * instead of storing it under an id it does not match. verso's own SHA-256 would find it only at the
     * next read.
     */
    private static String md5(byte[] data) {
        MessageDigest md = md5();
        md.update(data);
        return Base64.getEncoder().encodeToString(md.digest());
    }

    private static String md5(Path file, long offset, long length) throws IOException {
        MessageDigest md = md5();
        ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = offset;
            long end = offset + length;
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException(file + " became shorter while it was uploaded");
                }
                md.update(buf.flip());
                pos += n;
            }
        }
        return Base64.getEncoder().encodeToString(md.digest());
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void abort(String fullKey, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(fullKey).uploadId(uploadId));
        } catch (SdkException ignored) {
            // Best effort: the original failure is what the caller needs; a bucket lifecycle rule
            // cleans up uploads that could not be aborted.
        }
    }

    private IOException mapFailure(String key, Throwable failure) {
        if (failure instanceof SdkException e) {
            return errors.map("put", key, e);
        }
        if (failure instanceof UncheckedIOException e) {
            return unchecked("put", key, e);
        }
        if (failure instanceof IOException e) {
            return e;
        }
        if (failure instanceof InterruptedException) {
            return new RemoteException("upload of " + key + " was interrupted", failure);
        }
        return new RemoteException("upload of " + key + " failed: " + failure, failure);
    }

    @Override
    public boolean exists(String key) throws IOException {
        try {
            size(key);
            return true;
        } catch (RemoteNotFoundException e) {
            return false;
        }
    }

    @Override
    public long size(String key) throws IOException {
        try {
            return s3.headObject(b -> b.bucket(bucket).key(full(key))).contentLength();
        } catch (SdkException e) {
            throw errors.map("head", key, e);
        }
    }

    @Override
    public void list(String keyPrefix, Consumer<RemoteFile> file) throws IOException {
        RemoteKeys.checkPrefix(keyPrefix);
        ListObjectsV2Response page;
        String token = null;
        do {
            page = listPage(keyPrefix, token);
            for (S3Object o : page.contents()) {
                // Keys ending in '/' are folder markers (from consoles, or a filesystem-backed server's
                // directories), never values of ours.
                if (!o.key().endsWith("/")) {
                    file.accept(new RemoteFile(o.key().substring(prefix.length()), o.size(), o.lastModified()));
                }
            }
            token = page.nextContinuationToken();
        } while (page.isTruncated());
    }

    /** One page of up to 1000 keys, checked to be one: its last, or saying where the next one starts. */
    private ListObjectsV2Response listPage(String keyPrefix, String token) throws IOException {
        ListObjectsV2Response page;
        try {
            page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix + keyPrefix).continuationToken(token));
        } catch (SdkException e) {
            throw errors.map("list", keyPrefix, e);
        } catch (UncheckedIOException e) {
            throw unchecked("list", keyPrefix, e);
        }
        // S3 always says whether a page is the last. An answer that does not (an empty body, some other
        // XML), or that says more follows but not where, would read as a listing that ends early, and gc
        // would take a full remote for an empty one.
        Boolean truncated = page.isTruncated();
        if (truncated == null || truncated && page.nextContinuationToken() == null) {
            throw errors.unexpectedAnswer("list", keyPrefix, "an S3 listing");
        }
        return page;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(full(key)));
        } catch (SdkException e) {
            throw errors.map("delete", key, e);
        }
    }

    long sdkGets() {
        return sdkGets.get();
    }

    @Override
    public String describe() {
        String url = "s3://" + bucket + "/" + prefix;
        return settings.endpoint() == null ? url : url + " at " + settings.endpoint();
    }

    @Override
    public void close() {
        parts.shutdownNow();
        s3.close();
        http.close();
    }

    private String full(String key) {
        return prefix + RemoteKeys.check(key);
    }

    private static InputStream openSlice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new SliceInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new LocalFileFailure(e);
        }
    }

    /**
     * An {@link UncheckedIOException} out of the SDK: opening the local file failed (that error is the
     * caller's to see), or the SDK failed to read an answer's body.
     */
    private IOException unchecked(String operation, String key, UncheckedIOException e) {
        return e instanceof LocalFileFailure ? e.getCause() : errors.mapIo(operation, key, e.getCause());
    }

    /** Opening a file to upload failed, inside the SDK's call to a content provider. */
    private static final class LocalFileFailure extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        LocalFileFailure(IOException cause) {
            super(cause);
        }
    }

    /** A response body: read failures become retryable, and an early close drops a big remainder. */
    private final class Body extends FilterInputStream {
        private final String key;
        private final Abortable connection;
        private long remaining;

        Body(String key, InputStream in, Abortable connection, long length) {
            super(in);
            this.key = key;
            this.connection = connection;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = in.read();
                if (b >= 0) {
                    remaining--;
                } else {
                    remaining = 0;
                }
                return b;
            } catch (IOException e) {
                throw errors.mapRead(key, e);
            }
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            try {
                int n = in.read(buf, off, len);
                if (n > 0) {
                    remaining -= n;
                } else if (n < 0) {
                    remaining = 0;
                }
                return n;
            } catch (IOException e) {
                throw errors.mapRead(key, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long skipped = in.skip(n);
                remaining -= skipped;
                return skipped;
            } catch (IOException e) {
                throw errors.mapRead(key, e);
            }
        }

        @Override
        public void close() throws IOException {
            if (remaining > DRAIN_LIMIT) {
                connection.abort();
            }
            try {
                in.close();
            } catch (IOException ignored) {
                // The bytes the caller wanted were read; a failure to release the connection is not theirs.
            }
        }
    }
}
