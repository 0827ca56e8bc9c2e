package verso.dvc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import verso.remote.RemoteSpec;

/**
 * What verso needs from {@code .dvc/config} (overlaid by {@code .dvc/config.local}): the default remote
 * ({@code core.remote}), each remote's {@code url}, {@code endpointurl} and {@code region}, and the
 * cache folder ({@code cache.dir}). The format is DVC's INI-like one: sections {@code [core]},
 * {@code ['remote "name"']} (or without the outer quotes), {@code key = value} lines, {@code #} comments.
 */
public final class DvcConfig {
    private static final Pattern SECTION = Pattern.compile("\\[\\s*'?([^'\\]]*?)'?\\s*]");
    private static final Pattern REMOTE = Pattern.compile("remote\\s+\"([^\"]+)\"");

    private final Map<String, Map<String, String>> sections;
    private final Path dvcDir;

    private DvcConfig(Map<String, Map<String, String>> sections, Path dvcDir) {
        this.sections = sections;
        this.dvcDir = dvcDir;
    }

    /** Reads the config of the DVC project at {@code project}; a project without one has no settings. */
    public static DvcConfig read(Path project) throws IOException {
        Path dvcDir = project.resolve(".dvc");
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        for (String name : new String[] {"config", "config.local"}) {
            Path f = dvcDir.resolve(name);
            if (Files.isRegularFile(f)) {
                parseInto(Files.readString(f, StandardCharsets.UTF_8), sections);
            }
        }
        return new DvcConfig(sections, dvcDir);
    }

    static DvcConfig parse(String text, Path dvcDir) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        parseInto(text, sections);
        return new DvcConfig(sections, dvcDir);
    }

    private static void parseInto(String text, Map<String, Map<String, String>> sections) {
        Map<String, String> current = null;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            Matcher s = SECTION.matcher(line);
            if (s.matches()) {
                String name = s.group(1).strip();
                Matcher r = REMOTE.matcher(name);
                String key = r.matches() ? "remote " + r.group(1) : name;
                current = sections.computeIfAbsent(key, k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current != null && eq > 0) {
                current.put(line.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT),
                        unquote(line.substring(eq + 1).strip()));
            }
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** The name of the default remote ({@code core.remote}), if any. */
    public Optional<String> defaultRemote() {
        return Optional.ofNullable(sections.getOrDefault("core", Map.of()).get("remote"));
    }

    /**
     * The remote called {@code name} as a verso remote spec: S3 URLs as they are (the endpoint and region
     * from the DVC config, else from the environment like verso's own remotes), a directory relative to
     * {@code .dvc/} as DVC resolves it.
     */
    public Optional<RemoteSpec> remote(String name) {
        Map<String, String> s = sections.get("remote " + name);
        if (s == null || s.get("url") == null) {
            return Optional.empty();
        }
        return Optional.of(spec(name, s.get("url"), s.get("endpointurl"), s.get("region")));
    }

    /** A remote given by URL on the command line (a directory relative to the current folder stays so). */
    public static RemoteSpec specOfUrl(String url) {
        return RemoteSpec.of(url.startsWith("file://") ? url.substring("file://".length()) : url);
    }

    private RemoteSpec spec(String name, String url, String endpoint, String region) {
        String u = url;
        if (u.startsWith("file://")) {
            u = u.substring("file://".length());
        }
        if (!u.contains("://") && !Path.of(u).isAbsolute()) {
            u = dvcDir.resolve(u).normalize().toString();
        }
        return new RemoteSpec(name, u, endpoint, region, false);
    }

    /** The local cache folder: {@code cache.dir} (relative to {@code .dvc/}) or {@code .dvc/cache}. */
    public Path cacheDir() {
        String dir = sections.getOrDefault("cache", Map.of()).get("dir");
        return dir == null ? dvcDir.resolve("cache") : dvcDir.resolve(dir).normalize();
    }
}
