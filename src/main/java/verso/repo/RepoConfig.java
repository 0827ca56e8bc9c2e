package verso.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import verso.remote.RemoteException;
import verso.remote.RemoteSpec;
import verso.store.BlockIndex;

/**
 * {@code .verso/config}: pretty JSON meant to be committed to git, so it holds only settings shared
 * by every clone (format version, cache dir, block size, remotes and the default remote). Immutable;
 * the {@code with*} methods return changed copies.
 */
public record RepoConfig(int format, String cacheDir, int blockSize, List<RemoteSpec> remotes, String defaultRemote) {
    public static final int FORMAT = 1;

    public RepoConfig {
        remotes = List.copyOf(remotes);
    }

    public static RepoConfig defaults() {
        return new RepoConfig(FORMAT, null, BlockIndex.DEFAULT_BLOCK_SIZE, List.of(), null);
    }

    public Optional<RemoteSpec> remote(String name) {
        return remotes.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The default remote: the one named default, or the only one configured. */
    public Optional<RemoteSpec> defaultRemoteSpec() {
        if (defaultRemote != null) {
            return remote(defaultRemote);
        }
        return remotes.size() == 1 ? Optional.of(remotes.get(0)) : Optional.empty();
    }

    public RepoConfig withRemote(RemoteSpec spec, boolean makeDefault) throws RepoException {
        if (remote(spec.name()).isPresent()) {
            throw new RepoException("remote '" + spec.name() + "' already exists; remove it first with verso remote remove "
                    + spec.name());
        }
        List<RemoteSpec> list = new ArrayList<>(remotes);
        list.add(spec);
        return new RepoConfig(format, cacheDir, blockSize, list, makeDefault ? spec.name() : defaultRemote);
    }

    public RepoConfig withoutRemote(String name) throws RepoException {
        if (remote(name).isEmpty()) {
            throw new RepoException("no remote named '" + name + "'; see verso remote list");
        }
        List<RemoteSpec> list = new ArrayList<>(remotes);
        list.removeIf(r -> r.name().equals(name));
        return new RepoConfig(format, cacheDir, blockSize, list, name.equals(defaultRemote) ? null : defaultRemote);
    }

    public RepoConfig withDefaultRemote(String name) throws RepoException {
        if (remote(name).isEmpty()) {
            throw new RepoException("no remote named '" + name + "'; add it first with verso remote add " + name + " URL");
        }
        return new RepoConfig(format, cacheDir, blockSize, remotes, name);
    }

    public byte[] encode() {
        return PrettyJson.write(g -> {
            g.writeNumberField("format", format);
            if (cacheDir != null) {
                g.writeStringField("cache", cacheDir);
            }
            g.writeNumberField("blockSize", blockSize);
            g.writeArrayFieldStart("remotes");
            for (RemoteSpec r : remotes) {
                g.writeStartObject();
                g.writeStringField("name", r.name());
                g.writeStringField("url", r.url());
                if (r.endpoint() != null) {
                    g.writeStringField("endpoint", r.endpoint());
                }
                if (r.region() != null) {
                    g.writeStringField("region", r.region());
                }
                if (r.pathStyle()) {
                    g.writeBooleanField("pathStyle", true);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (defaultRemote != null) {
                g.writeStringField("default", defaultRemote);
            }
        });
    }

    public static RepoConfig read(Path file) throws IOException {
        Map<String, Object> root;
        try {
            root = PrettyJson.read(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new RepoException(file + " is not valid JSON; fix it by hand or restore it from git");
        }
        Integer format = root == null ? null : PrettyJson.intValue(root, "format");
        if (format == null) {
            throw new RepoException(file + " has no format field; restore it from git");
        }
        if (format > FORMAT) {
            throw new RepoException(file + " has format " + format + ", newer than this verso; upgrade verso");
        }
        Integer size = PrettyJson.intValue(root, "blockSize");
        int blockSize = size == null ? BlockIndex.DEFAULT_BLOCK_SIZE : size;
        if (blockSize < 4096 || blockSize > (64 << 20)) {
            throw new RepoException("blockSize " + blockSize + " in " + file + " is out of range; use 4096..67108864");
        }
        List<RemoteSpec> remotes = new ArrayList<>();
        if (root.get("remotes") instanceof List<?> list) {
            for (Object o : list) {
                @SuppressWarnings("unchecked")
                Map<String, Object> n = o instanceof Map ? (Map<String, Object>) o : Map.of();
                String name = PrettyJson.text(n, "name");
                String url = PrettyJson.text(n, "url");
                if (name == null || url == null) {
                    throw new RepoException("a remote in " + file + " has no name or url; fix it or run verso remote remove");
                }
                try {
                    remotes.add(new RemoteSpec(name, url, PrettyJson.text(n, "endpoint"), PrettyJson.text(n, "region"),
                            PrettyJson.flag(n, "pathStyle")).validate());
                } catch (RemoteException e) {
                    throw new RepoException(file + ": " + e.getMessage());
                }
            }
        }
        return new RepoConfig(format, PrettyJson.text(root, "cache"), blockSize, remotes,
                PrettyJson.text(root, "default"));
    }
}
