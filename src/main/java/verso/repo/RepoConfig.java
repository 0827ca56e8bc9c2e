package verso.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", format);
        if (cacheDir != null) {
            root.put("cache", cacheDir);
        }
        root.put("blockSize", blockSize);
        ArrayNode arr = root.putArray("remotes");
        for (RemoteSpec r : remotes) {
            ObjectNode n = arr.addObject();
            n.put("name", r.name());
            n.put("url", r.url());
            if (r.endpoint() != null) {
                n.put("endpoint", r.endpoint());
            }
            if (r.region() != null) {
                n.put("region", r.region());
            }
            if (r.pathStyle()) {
                n.put("pathStyle", true);
            }
        }
        if (defaultRemote != null) {
            root.put("default", defaultRemote);
        }
        try {
            return (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RepoConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new RepoException(file + " is not valid JSON; fix it by hand or restore it from git");
        }
        if (root == null || !root.isObject() || !root.path("format").isInt()) {
            throw new RepoException(file + " has no format field; restore it from git");
        }
        int format = root.get("format").intValue();
        if (format > FORMAT) {
            throw new RepoException(file + " has format " + format + ", newer than this verso; upgrade verso");
        }
        String cache = root.path("cache").isTextual() ? root.get("cache").textValue() : null;
        int blockSize = root.path("blockSize").canConvertToInt() ? root.get("blockSize").intValue()
                : BlockIndex.DEFAULT_BLOCK_SIZE;
        if (blockSize < 4096 || blockSize > (64 << 20)) {
            throw new RepoException("blockSize " + blockSize + " in " + file + " is out of range; use 4096..67108864");
        }
        List<RemoteSpec> remotes = new ArrayList<>();
        for (JsonNode n : root.path("remotes")) {
            String name = n.path("name").asText(null);
            String url = n.path("url").asText(null);
            if (name == null || url == null) {
                throw new RepoException("a remote in " + file + " has no name or url; fix it or run verso remote remove");
            }
            try {
                remotes.add(new RemoteSpec(name, url, n.path("endpoint").asText(null), n.path("region").asText(null),
                        n.path("pathStyle").asBoolean(false)).validate());
            } catch (RemoteException e) {
                throw new RepoException(file + ": " + e.getMessage());
            }
        }
        String def = root.path("default").isTextual() ? root.get("default").textValue() : null;
        return new RepoConfig(format, cache, blockSize, remotes, def);
    }
}
