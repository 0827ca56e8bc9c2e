package verso.remote;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import verso.remote.ScriptedHttpServer.Answer;
import verso.remote.ScriptedHttpServer.Request;

/**
 * Every odd answer an S3 endpoint, or a proxy in front of it, may give, played against every operation
 * of {@link S3Remote} through the standard wrappers: each operation succeeds, or fails with one line,
 * after retries when the answer may pass.
 */
@Timeout(300)
final class S3OddAnswersTest {
    private static final String OBJECT = "hello world";
    private static final byte[] PUT_BYTES = {1, 2, 3};
    private static final RetryPolicy FAST =
            new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMinutes(1));
    private static final String XML = "application/xml";
    private static ScriptedHttpServer server;
    private static S3Settings settings;

    @TempDir
    Path tmp;

    enum Op { GET, RANGED_GET, GET_BYTES, PUT_BYTES, PUT_FILE, EXISTS, SIZE, LIST, DELETE }

    enum Outcome {
        /** Answers as if all was well. */
        OK,
        /** A {@link RemoteRetryableException} after every attempt failed. */
        RETRIED,
        /** A plain {@link RemoteException} at once, without retrying. */
        FAILED,
        /** The stream opened, and reading it failed with a {@link RemoteRetryableException}. */
        BROKEN_STREAM
    }

    /** An answer's status line, headers and body; a HEAD gets all but the body. */
    record Response(int status, List<String> headers, byte[] body) {
        static Response of(int status, String contentType, String body) {
            return new Response(status, contentType == null ? List.of() : List.of("Content-Type: " + contentType),
                    body.getBytes(UTF_8));
        }

        byte[] head(Request request) {
            StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " Odd\r\n");
            b.append("Content-Length: ").append(body.length).append("\r\n");
            headers.forEach(h -> b.append(h).append("\r\n"));
            return b.append("\r\n").toString().getBytes(UTF_8);
        }

        /** The bytes that follow the head. */
        byte[] payload(Request request) {
            return request.method().equals("HEAD") ? new byte[0] : body;
        }
    }

    @BeforeAll
    static void start() throws IOException {
        server = new ScriptedHttpServer();
        settings = S3Settings.resolve(new RemoteSpec("odd", "s3://bucket", server.endpoint().toString(),
                "us-east-1", true), Map.of(), StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    /**
     * What S3 answers when all is well: the object or the asked range, a listing of two pages, 200 to a
     * PUT, 204 to a DELETE, the start and the end of a multipart upload.
     */
    private static Response s3(Request request) {
        switch (request.method()) {
            case "PUT":
                return new Response(200, List.of("ETag: \"e\""), new byte[0]);
            case "DELETE":
                return new Response(204, List.of(), new byte[0]);
            case "POST":
                return Response.of(200, XML, request.target().contains("uploads")
                        ? "<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>bucket</Bucket>"
                                + "<Key>objects/ab/cd</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
                        : "<?xml version=\"1.0\"?><CompleteMultipartUploadResult><Bucket>bucket</Bucket>"
                                + "<Key>objects/ab/cd</Key><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>");
            default:
                break;
        }
        if (request.isList()) {
            boolean first = !request.target().contains("continuation-token=");
            return Response.of(200, XML, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bucket</Name>"
                    + "<Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
                    + "<IsTruncated>" + first + "</IsTruncated>"
                    + (first ? "<NextContinuationToken>page2</NextContinuationToken>" : "")
                    + "<Contents><Key>" + (first ? "tags/a" : "tags/b") + "</Key><Size>1</Size></Contents>"
                    + "</ListBucketResult>");
        }
        Matcher range = Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(request.headers().getOrDefault("range", ""));
        if (range.matches()) {
            int from = Integer.parseInt(range.group(1));
            int to = Integer.parseInt(range.group(2));
            return new Response(206, List.of("Content-Range: bytes " + from + "-" + to + "/" + OBJECT.length()),
                    OBJECT.substring(from, to + 1).getBytes(UTF_8));
        }
        return Response.of(200, "application/octet-stream", OBJECT);
    }

    /** Writes {@code response} to every request. */
    private static Answer always(Response response) {
        return (request, socket, out) -> {
            out.write(response.head(request));
            out.write(response.payload(request));
            return true;
        };
    }

    /** Writes S3's answer, only slower than anyone would like: one byte at a time. */
    private static Answer drip() {
        return (request, socket, out) -> {
            Response r = s3(request);
            for (byte[] part : List.of(r.head(request), r.payload(request))) {
                for (byte b : part) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(1);
                }
            }
            return true;
        };
    }

    /** Declares S3's answer whole, sends half its body, and closes the connection. */
    private static Answer truncated() {
        return (request, socket, out) -> {
            Response r = s3(request);
            byte[] payload = r.payload(request);
            out.write(r.head(request));
            out.write(payload, 0, payload.length / 2);
            return false;
        };
    }

    /** Sends S3's answer and then bytes it did not declare, on a connection it keeps open. */
    private static Answer longer() {
        return (request, socket, out) -> {
            Response r = s3(request);
            out.write(r.head(request));
            out.write(r.payload(request));
            out.write("EXTRA".getBytes(UTF_8));
            return true;
        };
    }

    /** Resets the connection before answering. */
    private static Answer reset() {
        return (request, socket, out) -> {
            socket.setSoLinger(true, 0);
            return false;
        };
    }

    /** Sends S3's answer up to the middle of its body (if it has one), then resets the connection. */
    private static Answer resetMidBody() {
        return (request, socket, out) -> {
            Response r = s3(request);
            byte[] payload = r.payload(request);
            out.write(r.head(request));
            out.write(payload, 0, payload.length / 2);
            if (payload.length == 0) {
                return true;
            }
            out.flush();
            socket.setSoLinger(true, 0);
            return false;
        };
    }

    /** Sends the head of S3's answer and, if a body should follow, nothing more until the client gives up. */
    private static Answer stall() {
        return (request, socket, out) -> {
            Response r = s3(request);
            out.write(r.head(request));
            if (r.payload(request).length == 0) {
                return true;
            }
            out.flush();
            socket.getInputStream().read(); // the end: the client closed the connection
            return false;
        };
    }

    /** Plays {@code answer} to the request that starts a multipart upload, or to the one that ends it. */
    private static Answer toPost(boolean start, Answer answer) {
        return (request, socket, out) -> {
            if (request.method().equals("POST") && request.target().endsWith("?uploads") == start) {
                return answer.write(request, socket, out);
            }
            return always(s3(request)).write(request, socket, out);
        };
    }

    /** Writes {@code response} to a LIST, and what S3 answers to every other request. */
    private static Answer toList(Response response) {
        return (request, socket, out) -> {
            Response r = request.isList() ? response : s3(request);
            out.write(r.head(request));
            out.write(r.payload(request));
            return true;
        };
    }

    private static Map<Op, Outcome> every(Outcome outcome) {
        Map<Op, Outcome> all = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            all.put(op, outcome);
        }
        return all;
    }

    /** {@code outcome} for an operation that reads a body (GET, LIST), OK for the others. */
    private static Map<Op, Outcome> whenReadingABody(Outcome stream, Outcome whole) {
        Map<Op, Outcome> all = every(Outcome.OK);
        all.put(Op.GET, stream);
        all.put(Op.RANGED_GET, stream);
        all.put(Op.GET_BYTES, whole);
        all.put(Op.LIST, whole);
        return all;
    }

    private static Map<Op, Outcome> every(Outcome outcome, Outcome onList) {
        Map<Op, Outcome> all = every(outcome);
        all.put(Op.LIST, onList);
        return all;
    }

    @Test
    void errorStatus_withoutCodeOrMessage_isRetriedWhen5xx_elseOneLine() throws Exception {
        play("500 without a code", always(Response.of(500, XML, "<Error><Message>oops</Message></Error>")),
                every(Outcome.RETRIED));
        play("502 with an HTML page", always(Response.of(502, "text/html", "<html><body>Bad Gateway</body></html>")),
                every(Outcome.RETRIED));
        play("503 SlowDown", always(Response.of(503, XML, "<Error><Code>SlowDown</Code><Message>slow</Message></Error>")),
                every(Outcome.RETRIED));
        play("504 with no body", always(Response.of(504, null, "")), every(Outcome.RETRIED));
        play("400 without a code", always(Response.of(400, XML, "<Error><Message>oops</Message></Error>")),
                every(Outcome.FAILED));
        play("400 without a message", always(Response.of(400, XML, "<Error><Code>InvalidArgument</Code></Error>")),
                every(Outcome.FAILED));
        play("400 with an HTML page", always(Response.of(400, "text/html", "<html><body>Bad request</body></html>")),
                every(Outcome.FAILED));
        play("409", always(Response.of(409, XML, "<Error><Code>Conflict</Code><Message>no</Message></Error>")),
                every(Outcome.FAILED));
        play("418 with no body", always(Response.of(418, null, "")), every(Outcome.FAILED));
        play("302 elsewhere", always(new Response(302, List.of("Location: http://127.0.0.1:1/"), new byte[0])),
                every(Outcome.FAILED));
    }

    @Test
    void list_answeredWithSomethingElseThanXml_isRetried() throws Exception {
        play("an HTML page", toList(Response.of(200, "text/html", "<html><body>Sign in<br></body></html>")),
                every(Outcome.OK, Outcome.RETRIED));
        play("a listing cut mid-document", toList(Response.of(200, XML,
                        "<?xml version=\"1.0\"?><ListBucketResult><Name>bucket</Name><IsTruncated>false</IsTruncated>"
                        + "<Contents><Key>tags/a</Key>")),
                every(Outcome.OK, Outcome.RETRIED));
        play("a listing with a byte changed on the way", toList(Response.of(200, XML,
                        "<?xml version=\"1.0\"?><ListBucketResult><Name>bucket</Name><IsTruncated>false</IsTruncated>"
                        + "<Contents><Key>tags/a</Key><LastModified>2026,12-06T15:19:23Z</LastModified><Size>1</Size>"
                        + "</Contents></ListBucketResult>")),
                every(Outcome.OK, Outcome.RETRIED));
    }

    @Test
    void list_answeredWithSomethingElseThanAWholeListing_isRetried_neverReadAsAnEmptyRemote() throws Exception {
        play("an empty 200", toList(Response.of(200, null, "")), every(Outcome.OK, Outcome.RETRIED));
        play("XML that is not a listing", toList(Response.of(200, XML, "<?xml version=\"1.0\"?><Status>ok</Status>")),
                every(Outcome.OK, Outcome.RETRIED));
        play("a page that says more follows but not where", toList(Response.of(200, XML,
                        "<?xml version=\"1.0\"?><ListBucketResult><Name>bucket</Name><IsTruncated>true</IsTruncated>"
                        + "<Contents><Key>tags/a</Key><Size>1</Size></Contents></ListBucketResult>")),
                every(Outcome.OK, Outcome.RETRIED));
    }

    @Test
    void brokenConnections_areRetried_exceptUnderAStreamAlreadyHandedOut() throws Exception {
        play("a reset before the answer", reset(), every(Outcome.RETRIED));
        play("a reset in the middle of the body", resetMidBody(),
                whenReadingABody(Outcome.BROKEN_STREAM, Outcome.RETRIED));
        play("a body shorter than declared", truncated(), whenReadingABody(Outcome.BROKEN_STREAM, Outcome.RETRIED));
    }

    @Test
    void slowAnswers_arriveWhole_orTimeOutAndAreRetried() throws Exception {
        play("a slow drip", drip(), every(Outcome.OK));
        S3Settings impatient = settings.withSocketTimeout(Duration.ofSeconds(2));
        play("a body that never comes", impatient, stall(), whenReadingABody(Outcome.BROKEN_STREAM, Outcome.RETRIED));
    }

    @Test
    void bytesBeyondTheDeclaredBody_areNotRead_andTheConnectionTheySpoilIsDropped() throws Exception {
        // The next answer on that connection reads as garbage until the socket times out; the retry passes,
        // but not in the middle of a listing, where the keys of the first page were handed out already.
        play("a body longer than declared", settings.withSocketTimeout(Duration.ofSeconds(2)), longer(),
                every(Outcome.OK, Outcome.FAILED));
    }

    @Test
    void putFile_inParts_oddAnswersToStartingOrEndingTheUpload_areRetried() throws Exception {
        Path file = Files.write(tmp.resolve("big"), new byte[(5 << 20) + 100]); // two parts
        S3Settings parts = settings.withMultipart(5 << 20, 5 << 20).withSocketTimeout(Duration.ofSeconds(2));
        Answer html = always(Response.of(200, "text/html", "<html><body>Sign in<br></body></html>"));
        Answer empty = always(Response.of(200, XML, ""));
        Answer other = always(Response.of(200, XML, "<?xml version=\"1.0\"?><Status>ok</Status>"));
        expectRetried(parts, file, true, html);
        expectRetried(parts, file, true, empty);
        expectRetried(parts, file, true, other);
        expectRetried(parts, file, true, stall());
        expectRetried(parts, file, false, empty);
        expectRetried(parts, file, false, stall());
    }

    /** Plays {@code answer} to the start or the end of every multipart upload: each attempt fails, and aborts. */
    private void expectRetried(S3Settings settings, Path file, boolean start, Answer answer) throws IOException {
        server.answer(toPost(start, answer));
        RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMinutes(1));
        try (Remote remote = Remotes.wrap(new S3Remote("bucket", "", settings), new RemoteStats(), twice, 4)) {
            remote.put("objects/ab/cd", file);
            fail("the upload passed: " + server.requests());
        } catch (RemoteRetryableException e) {
            assertTrue(e.getMessage().endsWith("(gave up after 2 attempts)"), e.getMessage());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("null"), e.getMessage());
        }
        long starts = server.requests().stream().filter(r -> r.target().endsWith("?uploads")).count();
        long aborts = server.requests().stream().filter(r -> r.method().equals("DELETE")).count();
        assertEquals(2, starts, server.requests().toString());
        assertEquals(start ? 0 : 2, aborts, "every upload begun is aborted");
    }

    private void play(String name, Answer answer, Map<Op, Outcome> expected) throws Exception {
        play(name, settings, answer, expected);
    }

    /**
     * Plays {@code answer} to each operation on a fresh remote, and checks what the caller sees. An operation
     * that succeeds runs again on the same remote, over the connection the answer left behind.
     */
    private void play(String name, S3Settings settings, Answer answer, Map<Op, Outcome> expected) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Op op : Op.values()) {
            server.answer(answer);
            RemoteStats stats = new RemoteStats();
            String seen;
            try (Remote remote = Remotes.wrap(new S3Remote("bucket", "", settings), stats, FAST, 4)) {
                run(op, remote);
                run(op, remote);
                seen = Outcome.OK.name();
            } catch (RemoteException e) {
                seen = outcome(e, stats) + " " + e.getMessage();
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertFalse(e.getMessage().contains("null"), e.getMessage());
                assertTrue(e.getMessage().contains(server.endpoint().toString()), e.getMessage());
            } catch (AssertionError e) {
                seen = "a wrong answer: " + e.getMessage();
            } catch (Exception e) {
                seen = e.toString();
            }
            if (!seen.startsWith(expected.get(op).name())) {
                wrong.add(op + ": expected " + expected.get(op) + ", got " + seen);
            }
        }
        if (!wrong.isEmpty()) {
            fail(name + ":\n" + String.join("\n", wrong));
        }
    }

    private static Outcome outcome(RemoteException e, RemoteStats stats) {
        if (e.getClass() == RemoteException.class && stats.retries() == 0) {
            return Outcome.FAILED;
        }
        if (e instanceof RemoteRetryableException && e.getMessage().endsWith("(gave up after 3 attempts)")
                && stats.retries() == 2) {
            return Outcome.RETRIED;
        }
        if (e instanceof RemoteRetryableException && e.getMessage().startsWith("reading ") && stats.retries() == 0) {
            return Outcome.BROKEN_STREAM;
        }
        return null;
    }

    /** Runs {@code op}, checking that what it returns is what S3 would have answered. */
    private void run(Op op, Remote remote) throws IOException {
        switch (op) {
            case GET -> {
                try (InputStream in = remote.get("objects/ab/cd", 0, -1)) {
                    assertEquals(OBJECT, new String(in.readAllBytes(), UTF_8));
                }
            }
            case RANGED_GET -> {
                try (InputStream in = remote.get("objects/ab/cd", 2, 3)) {
                    assertEquals("llo", new String(in.readAllBytes(), UTF_8));
                }
            }
            case GET_BYTES -> assertEquals(OBJECT, new String(remote.getBytes("objects/ab/cd"), UTF_8));
            case PUT_BYTES -> {
                remote.put("objects/ab/cd", PUT_BYTES);
                assertArrayEquals(PUT_BYTES, lastRequest().body());
            }
            case PUT_FILE -> {
                Path file = Files.writeString(tmp.resolve("file"), OBJECT);
                remote.put("objects/ab/cd", file);
                assertEquals(OBJECT, new String(lastRequest().body(), UTF_8));
            }
            case EXISTS -> assertTrue(remote.exists("objects/ab/cd"));
            case SIZE -> assertEquals(OBJECT.length(), remote.size("objects/ab/cd"));
            case LIST -> {
                List<String> keys = new ArrayList<>();
                remote.list("", f -> keys.add(f.key()));
                assertEquals(List.of("tags/a", "tags/b"), keys);
            }
            case DELETE -> remote.delete("objects/ab/cd");
        }
    }

    private static Request lastRequest() {
        List<Request> requests = server.requests();
        return requests.get(requests.size() - 1);
    }
}
