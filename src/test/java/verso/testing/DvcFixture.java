package verso.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds DVC projects as DVC writes them, from DVC's documented formats, for tests that cannot run
 * {@code dvc}: a git repository with {@code .dvc/config}, {@code .dvc} files ({@code outs} with
 * {@code md5}, {@code size}, {@code nfiles}, and {@code hash: md5} in DVC 3), {@code dvc.lock}, the cache
 * in DVC 3's {@code files/md5/ab/cdef…} or DVC 2's {@code ab/cdef…} layout, and {@code .dir}
 * manifests (the JSON list of {@code md5}/{@code relpath}, sorted, as Python's {@code json.dumps}
 * writes it). Commits get fixed, increasing times so that tests are deterministic.
 */
public final class DvcFixture {
    /** DVC's cache layouts: DVC 3 ({@code files/md5/}) and DVC 2 (legacy, flat two-digit folders). */
    public enum Layout { DVC2, DVC3 }

    public final Path dir;
    private Layout layout = Layout.DVC3;
    private final StringBuilder config = new StringBuilder("[core]\n");
    private final List<String> remotes = new ArrayList<>();
    private String defaultRemote;
    private int commits;

    private DvcFixture(Path dir) {
        this.dir = dir;
    }

    /** {@code git init} and {@code dvc init} in {@code dir}. */
    public static DvcFixture create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        new DvcFixture(dir).git("init", "-q");
        return createSubdir(dir);
    }

    /** {@code dvc init --subdir} in {@code dir}, inside a git repository that exists. */
    public static DvcFixture createSubdir(Path dir) throws IOException, InterruptedException {
        DvcFixture f = new DvcFixture(dir);
        Files.createDirectories(dir.resolve(".dvc"));
        f.git("config", "user.email", "dvc@example.com");
        f.git("config", "user.name", "dvc user");
        Files.writeString(dir.resolve(".dvc/.gitignore"), "/config.local\n/tmp\n/cache\n");
        f.writeConfig();
        return f;
    }

    public DvcFixture layout(Layout l) {
        this.layout = l;
        return this;
    }

    /** {@code dvc remote add [-d] name url} (with {@code endpointurl} for an S3-compatible server). */
    public DvcFixture remote(String name, String url, String endpoint, boolean makeDefault) throws IOException {
        remotes.add("['remote \"" + name + "\"']\n    url = " + url + "\n"
                + (endpoint == null ? "" : "    endpointurl = " + endpoint + "\n"));
        if (makeDefault) {
            defaultRemote = name;
        }
        writeConfig();
        return this;
    }

    private void writeConfig() throws IOException {
        StringBuilder sb = new StringBuilder(config);
        if (defaultRemote != null) {
            sb.append("    remote = ").append(defaultRemote).append('\n');
        }
        remotes.forEach(sb::append);
        Files.writeString(dir.resolve(".dvc/config"), sb.toString());
    }

    /** Writes a workspace file. */
    public Path write(String path, byte[] content) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    /** {@code dvc add path} (a file or a folder of the workspace): caches its objects and writes {@code path.dvc}. */
    public String add(String path) throws IOException {
        Out o = out(path);
        Files.writeString(dir.resolve(path + ".dvc"), "outs:\n" + o.yaml("path: " + fileName(path)));
        ignore(path);
        return o.md5;
    }

    /** Adds {@code /name} to the .gitignore beside {@code path}, as dvc does for its outputs. */
    private void ignore(String path) throws IOException {
        Path gi = dir.resolve(path).getParent().resolve(".gitignore");
        String line = "/" + fileName(path) + "\n";
        String text = Files.exists(gi) ? Files.readString(gi) : "";
        if (!text.contains(line)) {
            Files.writeString(gi, text + line);
        }
    }

    /** Writes {@code dvc.lock} with one stage whose outputs are these workspace paths (cached like {@code dvc commit}). */
    public void lock(String stage, String... paths) throws IOException {
        StringBuilder sb = new StringBuilder("schema: '2.0'\nstages:\n  " + stage + ":\n    cmd: python make.py\n"
                + "    outs:\n");
        for (String p : paths) {
            sb.append(out(p).yaml("path: " + p).indent(4));
            ignore(p);
        }
        Files.writeString(dir.resolve("dvc.lock"), sb.toString());
    }

    /** A .dvc file's or lock's output entry, the md5 first, as DVC orders it. */
    private record Out(String md5, String rest, String hashLine) {
        String yaml(String pathLine) {
            return "- md5: " + md5 + "\n" + rest + hashLine + "  " + pathLine + "\n";
        }
    }

    private Out out(String path) throws IOException {
        Path p = dir.resolve(path);
        String hash = layout == Layout.DVC3 ? "  hash: md5\n" : "";
        if (!Files.isDirectory(p)) {
            byte[] b = Files.readAllBytes(p);
            return new Out(cache(b, ""), "  size: " + b.length + "\n", hash);
        }
        TreeMap<String, String> files = new TreeMap<>();
        long size = 0;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                size += b.length;
                files.put(p.relativize(f).toString(), cache(b, ""));
            }
        }
        String md5 = cache(manifest(files), ".dir");
        return new Out(md5 + ".dir", "  size: " + size + "\n  nfiles: " + files.size() + "\n", hash);
    }

    /** A {@code .dir} manifest as DVC writes it: {@code json.dumps} of the sorted list, keys sorted. */
    public static byte[] manifest(Map<String, String> md5ByRelpath) {
        List<String> items = new ArrayList<>();
        new TreeMap<>(md5ByRelpath).forEach((rel, md5) ->
                items.add("{\"md5\": \"" + md5 + "\", \"relpath\": \"" + rel + "\"}"));
        return ("[" + String.join(", ", items) + "]").getBytes(StandardCharsets.UTF_8);
    }

    /** Stores bytes in the DVC cache under their md5 (plus {@code suffix}, such as {@code .dir}); returns the md5. */
    public String cache(byte[] content, String suffix) throws IOException {
        String md5 = md5(content);
        Path p = cachePath(md5 + suffix);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return md5;
    }

    /** The key of an object in the current layout (cache and remote alike). */
    public String key(String name) {
        String two = name.substring(0, 2) + "/" + name.substring(2);
        return layout == Layout.DVC3 ? "files/md5/" + two : two;
    }

    public Path cacheDir() {
        return dir.resolve(".dvc/cache");
    }

    public Path cachePath(String name) {
        return cacheDir().resolve(key(name));
    }

    /** Every object of the local cache by key, as {@code dvc push} sends them. */
    public Map<String, Path> cachedObjects() throws IOException {
        Map<String, Path> out = new TreeMap<>();
        if (!Files.isDirectory(cacheDir())) {
            return out;
        }
        try (Stream<Path> s = Files.walk(cacheDir())) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                out.put(cacheDir().relativize(f).toString(), f);
            }
        }
        return out;
    }

    /** {@code dvc push} to a directory remote: copies every cached object to {@code remoteDir}. */
    public void pushTo(Path remoteDir) throws IOException {
        for (Map.Entry<String, Path> e : cachedObjects().entrySet()) {
            Path t = remoteDir.resolve(e.getKey());
            Files.createDirectories(t.getParent());
            Files.copy(e.getValue(), t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code git add -A; git commit -m message} at a fixed time; returns the commit id. */
    public String commit(String message) throws IOException, InterruptedException {
        git("add", "-A");
        commits++;
        String date = Instant.parse("2024-01-01T00:00:00Z").plusSeconds(3600L * commits).toString();
        run(Map.of("GIT_AUTHOR_DATE", date, "GIT_COMMITTER_DATE", date), "git", "commit", "-q", "--allow-empty",
                "-m", message);
        return git("rev-parse", "HEAD").strip();
    }

    public String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        return run(Map.of(), cmd.toArray(String[]::new));
    }

    private String run(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    public static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Bytes of a text. */
    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
