package verso.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import verso.store.Hashing;
import verso.store.ObjectId;

/**
 * Writes objects to a remote as someone else's verso (or an attacker) might: encoded by hand, so
 * anything can be said in them, and stored under their true ids, so they get past every hash check.
 * Entries are JSON text; a tree or version lists them in the order given.
 */
final class HostileObjects {
    /** Where the objects go: a directory remote's files, or an S3 bucket. */
    interface Sink {
        void put(String key, byte[] bytes) throws IOException;
    }

    private final Sink sink;

    HostileObjects(Sink sink) {
        this.sink = sink;
    }

    /** Writes straight into a directory remote (no sync per file: trees 100,000 deep are quick to build). */
    static HostileObjects directory(Path root) {
        return new HostileObjects((key, bytes) -> {
            Path file = root.resolve(key);
            if (!Files.isDirectory(file.getParent())) {
                Files.createDirectories(file.getParent());
            }
            Files.write(file, bytes);
        });
    }

    /** Stores bytes under {@code objects/} by their id. */
    String object(byte[] bytes) throws IOException {
        ObjectId id = Hashing.hash(bytes);
        sink.put("objects/" + id.fanoutPath(), bytes);
        return id.hex();
    }

    String object(String text) throws IOException {
        return object(text.getBytes(StandardCharsets.UTF_8));
    }

    String tree(List<String> entries) throws IOException {
        return object("{\"format\":1,\"kind\":\"tree\",\"entries\":[" + String.join(",", entries) + "]}");
    }

    String blocks(int blockSize, long size, List<String> blockIds) throws IOException {
        return object("{\"format\":1,\"kind\":\"blocks\",\"blockSize\":" + blockSize + ",\"size\":" + size
                + ",\"blocks\":[\"" + String.join("\",\"", blockIds) + "\"]}");
    }

    /** Stores a version object and its record in {@code versions/}; {@code parent} may be null. */
    String version(String parent, List<String> paths) throws IOException {
        byte[] bytes = ("{\"format\":1,\"kind\":\"version\",\"parent\":" + (parent == null ? "null"
                : "\"" + parent + "\"") + ",\"time\":\"2024-01-01T00:00:00Z\",\"message\":\"hostile\",\"paths\":["
                + String.join(",", paths) + "]}").getBytes(StandardCharsets.UTF_8);
        String id = object(bytes);
        sink.put("versions/" + id, bytes);
        return id;
    }

    /** A file entry ({@code field}: "name" in a tree, "path" in a version). */
    static String file(String field, String name, long size, String blob) {
        return "{\"" + field + "\":" + quote(name) + ",\"type\":\"file\",\"size\":" + size
                + ",\"executable\":false,\"blob\":\"" + blob + "\"}";
    }

    static String chunked(String field, String name, long size, String blocks) {
        return "{\"" + field + "\":" + quote(name) + ",\"type\":\"file\",\"size\":" + size
                + ",\"executable\":false,\"blocks\":\"" + blocks + "\"}";
    }

    static String dir(String field, String name, String tree) {
        return "{\"" + field + "\":" + quote(name) + ",\"type\":\"dir\",\"size\":0,\"files\":0,\"tree\":\"" + tree
                + "\"}";
    }

    static String symlink(String field, String name, String target) {
        return "{\"" + field + "\":" + quote(name) + ",\"type\":\"symlink\",\"size\":"
                + target.getBytes(StandardCharsets.UTF_8).length + ",\"target\":" + quote(target) + "}";
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
