package verso.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import verso.testing.S3Server;

/**
 * An upload whose body is changed on the way to the server is refused by the server (Content-MD5) and
 * sent again, never stored as if it were whole.
 */
@Timeout(120)
final class S3UploadIntegrityTest {
    @TempDir
    Path tmp;
    S3Server server;
    FlippingRelay relay;
    Remote remote;
    S3Remote direct;

    @BeforeEach
    void setUp() throws IOException {
        server = S3Server.start().createBucket("flips");
        relay = new FlippingRelay(server.port());
        RemoteSpec spec = new RemoteSpec("test", "s3://flips", "http://127.0.0.1:" + relay.port(), "us-east-1", true);
        S3Settings settings = S3Settings.resolve(spec, Map.of(), StaticCredentialsProvider.create(
                AwsBasicCredentials.create(server.accessKey(), server.secretKey()))).withMultipart(6 << 20, 5 << 20);
        remote = Remotes.wrap(new S3Remote("flips", "", settings), new RemoteStats());
        direct = server.remote("flips", "");
    }

    @AfterEach
    void tearDown() throws IOException {
        remote.close();
        direct.close();
        relay.close();
        server.close();
    }

    /** Letters only, so a body never holds the blank line that ends a request's headers. */
    private static byte[] letters(int size, long seed) {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ('a' + r.nextInt(26));
        }
        return b;
    }

    private void assertStoredWhole(String key, byte[] data, Upload upload) throws IOException {
        relay.armOnce();
        upload.run();
        assertTrue(relay.flipped(), "the relay changed a byte of the upload");
        assertArrayEquals(data, direct.getBytes(key), key + " was stored with the changed byte");
    }

    interface Upload {
        void run() throws IOException;
    }

    @Test
    void put_bytesChangedOnTheWay_areRefusedAndSentAgain() throws IOException {
        byte[] data = letters(10_000, 1);
        assertStoredWhole("objects/aa/bytes", data, () -> remote.put("objects/aa/bytes", data));
    }

    @Test
    void put_fileChangedOnTheWay_isRefusedAndSentAgain() throws IOException {
        byte[] data = letters(300_000, 2);
        Path file = Files.write(tmp.resolve("file"), data);
        assertStoredWhole("objects/aa/file", data, () -> remote.put("objects/aa/file", file));
    }

    @Test
    void put_multipartPartChangedOnTheWay_isRefusedAndSentAgain() throws IOException {
        byte[] data = letters(11 << 20, 3);
        Path file = Files.write(tmp.resolve("big"), data);
        assertStoredWhole("objects/aa/big", data, () -> remote.put("objects/aa/big", file));
    }

    /**
     * A TCP relay to the server that, once armed, changes one byte in the body of the next PUT request
     * passing through it (requests are read by their headers and Content-Length).
     */
    static final class FlippingRelay implements AutoCloseable {
        private final ServerSocket listener;
        private final int upstream;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean flipped = new AtomicBoolean();

        FlippingRelay(int upstream) throws IOException {
            this.upstream = upstream;
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "flipping-relay");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void armOnce() {
            flipped.set(false);
            armed.set(true);
        }

        boolean flipped() {
            return flipped.get();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    start(() -> requests(new BufferedInputStream(client.getInputStream()),
                            new BufferedOutputStream(server.getOutputStream())), client, server);
                    start(() -> server.getInputStream().transferTo(client.getOutputStream()), client, server);
                } catch (IOException e) {
                    return;
                }
            }
        }

        interface Pipe {
            void run() throws IOException;
        }

        private static void start(Pipe pipe, Socket a, Socket b) {
            Thread t = new Thread(() -> {
                try {
                    pipe.run();
                } catch (IOException e) {
                    // the other side went away
                } finally {
                    try {
                        a.close();
                        b.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }, "flipping-relay-pipe");
            t.setDaemon(true);
            t.start();
        }

        private void requests(InputStream in, OutputStream out) throws IOException {
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                out.write(c);
                head.append((char) c);
                if (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
                    continue;
                }
                String headers = head.toString();
                head.setLength(0);
                out.flush();
                long length = 0;
                for (String line : headers.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                }
                boolean flip = headers.startsWith("PUT ") && length > 100 && armed.compareAndSet(true, false);
                for (long i = 0; i < length; i++) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    if (flip && i == 100) {
                        b ^= 0x20;
                        flipped.set(true);
                    }
                    out.write(b);
                }
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
