package verso.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import verso.read.BlockReader;
import verso.read.ContentSource;
import verso.remote.S3Remote;
import verso.remote.S3Settings;
import verso.store.BlockIndex;
import verso.store.DaemonThreads;
import verso.store.Hashing;
import verso.store.Layout;
import verso.store.ObjectId;
import verso.store.TreeEntry;

/**
 * A hidden command the launcher runs once after a build, under {@code -XX:ArchiveClassesAtExit}: it
 * plays the everyday commands in a scratch project so that the class-data archive it leaves holds
 * the classes they load, and every later verso command starts in about half the time. It also asks
 * an S3 endpoint on a closed local port for an object, so the S3 client's classes (most of what a
 * push, a fetch or a mount daemon loads) are in the archive too; that request fails at once.
 *
 * <p>On JDK 25 and newer the launcher makes an ahead-of-time cache from this run, which also keeps the
 * method profiles the run gathered: a mount daemon's JIT then compiles its read path from the start
 * instead of profiling it during the first GiB a user reads. So the run also reads a file of
 * {@value #READ_BLOCKS} blocks the way the mount does (block reader, read-ahead, block cache, one
 * signed GET per block, SHA-256 of each) from a small S3 stand-in on a loopback port.
 */
@Command(name = "train-class-data", hidden = true, description = "Exercise common commands (for the launcher).")
final class TrainCommand implements Callable<Integer> {
    static final int READ_BLOCKS = 48;
    private static final int READ_BLOCK_SIZE = 1 << 20;
    private static final int READ_PASSES = 4;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("verso-train");
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            Files.createDirectories(dir.resolve("data/sub"));
            Files.writeString(dir.resolve("data/sub/a.txt"), "a");
            Path big = dir.resolve("data/b.bin");
            Files.write(big, new byte[(int) S3Settings.MIN_PART_SIZE + 1]);
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            System.setOut(quiet);
            System.setErr(quiet);
            String d = dir.toString();
            String[][] commands = {
                {"init"}, {"add", "data"}, {"commit", "-m", "one"}, {"status"}, {"log"}, {"log", "--json"},
                {"tag", "t"}, {"diff", "t"}, {"verify"}, {"checkout", "t"}, {"gc", "--workspace", "--dry-run"},
                {"remote", "list"}, {"--help"},
            };
            for (String[] c : commands) {
                String[] args = new String[c.length + 2];
                args[0] = "-C";
                args[1] = d;
                System.arraycopy(c, 0, args, 2, c.length);
                Main.run(args);
            }
            touchS3(big);
            readThroughS3();
        } finally {
            System.setOut(out);
            System.setErr(err);
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    /**
     * A GET, a HEAD, a LIST, a PUT, the start of a multipart upload (of {@code big}) and a DELETE against a
     * closed port: each fails at once, having loaded the classes that make its request.
     */
    private static void touchS3(Path big) {
        try (S3Remote s3 = new S3Remote("train", "", S3Settings.unreachable())) {
            for (Callable<?> request : List.<Callable<?>>of(() -> s3.get("objects/ab/cd", 0, 10),
                    () -> s3.exists("versions/x"), () -> {
                        s3.list("versions/", k -> { });
                        return null;
                    }, () -> {
                        s3.put("locks/x", new byte[1]);
                        return null;
                    }, () -> {
                        s3.put("packs/ab/cd", big);
                        return null;
                    }, () -> {
                        s3.delete("locks/x");
                        return null;
                    })) {
                try {
                    request.call();
                } catch (Exception expected) {
                    // nothing listens there
                }
            }
        }
    }

    /**
     * Reads a file of {@link #READ_BLOCKS} blocks {@link #READ_PASSES} times (a new cache each time, so
     * every block is fetched and verified) in 128 KiB reads, as the kernel asks a mount, through
     * {@link S3Remote} from an HTTP server on 127.0.0.1 that answers every GET with the object named by
     * its path. Best effort: a failure only makes the cache less useful.
     */
    private static void readThroughS3() {
        Map<String, byte[]> objects = new HashMap<>();
        Random random = new Random(1);
        List<ObjectId> blocks = new ArrayList<>();
        for (int b = 0; b < READ_BLOCKS; b++) {
            byte[] block = new byte[READ_BLOCK_SIZE];
            random.nextBytes(block);
            ObjectId id = Hashing.hash(block);
            objects.put("/train/" + Layout.objectKey(id), block);
            blocks.add(id);
        }
        long size = (long) READ_BLOCKS * READ_BLOCK_SIZE;
        byte[] index = new BlockIndex(READ_BLOCK_SIZE, size, blocks).encode();
        ObjectId indexId = Hashing.hash(index);
        objects.put("/train/" + Layout.objectKey(indexId), index);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            return;
        }
        server.setExecutor(Executors.newFixedThreadPool(4, DaemonThreads.named("verso-train-s3")));
        server.createContext("/", exchange -> {
            byte[] body = objects.get(exchange.getRequestURI().getPath());
            try (exchange) {
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
            }
        });
        server.start();
        try {
            S3Settings settings = S3Settings.local(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            try (S3Remote s3 = new S3Remote("train", "", settings)) {
                TreeEntry file = TreeEntry.file("train.bin", size, false, indexId, true);
                for (int pass = 0; pass < READ_PASSES; pass++) {
                    try (BlockReader reader = BlockReader.withMemory(null, s3, 64L << 20);
                         ContentSource.OpenFile f = reader.open(file)) {
                        ByteBuffer dst = ByteBuffer.allocateDirect(128 << 10);
                        for (long at = 0; at < size; at += dst.capacity()) {
                            f.read(at, dst.clear());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a cache without the read path's profiles
        } finally {
            server.stop(0);
        }
    }
}
