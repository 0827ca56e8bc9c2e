package verso.dvc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import verso.store.Names;

/**
 * Reads the outputs DVC declares: {@code outs} of a {@code .dvc} file (relative to the file's folder and
 * its {@code wdir}) and {@code outs} of every stage of a {@code dvc.lock} (relative to the lock's folder;
 * both the {@code stages:} form of DVC 2 and later and the top-level form of DVC 1). Only what becomes
 * data is read: {@code md5}, {@code size}, {@code hash}, {@code isexec}, {@code cache}; dependencies,
 * commands, params and metrics flags are not. Every path is checked: one that leaves the project or
 * names {@code .git}, {@code .dvc} or {@code .verso} is refused.
 */
public final class DvcFiles {
    /** The name of a pipeline's lock file. */
    public static final String LOCK = "dvc.lock";
    public static final String SUFFIX = ".dvc";

    private DvcFiles() {
    }

    /** True for a project path DVC reads outputs from: {@code *.dvc} or {@code dvc.lock}, outside {@code .dvc/}. */
    public static boolean declaresOuts(String path) {
        if (path.startsWith(".dvc/") || path.startsWith(".git/")) {
            return false;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.equals(LOCK) || name.endsWith(SUFFIX) && name.length() > SUFFIX.length();
    }

    /**
     * The outputs the file at project path {@code file} declares. {@code where} names the commit in
     * error messages. Outputs with {@code cache: false} are not DVC's data and are left out.
     */
    public static List<DvcOut> parse(String file, byte[] content, String where) throws DvcException {
        Object doc = load(file, content, where);
        String dir = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : "";
        List<DvcOut> out = new ArrayList<>();
        if (doc == null) {
            return out;
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw bad(where, file, "is not a YAML mapping");
        }
        if (file.endsWith("/" + LOCK) || file.equals(LOCK)) {
            Object stages = top.containsKey("stages") ? top.get("stages") : top;
            if (stages == null) {
                return out;
            }
            if (!(stages instanceof Map<?, ?> byName)) {
                throw bad(where, file, "has 'stages' that is not a mapping");
            }
            for (Map.Entry<?, ?> stage : byName.entrySet()) {
                if (stage.getKey().equals("schema") && !top.containsKey("stages")) {
                    continue;
                }
                if (!(stage.getValue() instanceof Map<?, ?> s)) {
                    throw bad(where, file, "has stage '" + stage.getKey() + "' that is not a mapping");
                }
                outs(file, dir, s.get("outs"), where, out);
            }
        } else {
            String base = dir;
            Object wdir = top.get("wdir");
            if (wdir != null) {
                base = join(where, file, dir, String.valueOf(wdir), true);
            }
            outs(file, base, top.get("outs"), where, out);
        }
        return out;
    }

    private static Object load(String file, byte[] content, String where) throws DvcException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        try {
            return new Yaml(new SafeConstructor(options)).load(new String(content, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw bad(where, file, "is not valid YAML (" + reason + ")");
        }
    }

    private static void outs(String file, String base, Object outs, String where, List<DvcOut> into)
            throws DvcException {
        if (outs == null) {
            return;
        }
        if (!(outs instanceof List<?> list)) {
            throw bad(where, file, "has 'outs' that is not a list");
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                throw bad(where, file, "has an output that is not a mapping");
            }
            Object path = m.get("path");
            if (!(path instanceof String p)) {
                throw bad(where, file, "has an output without a path");
            }
            if (Boolean.FALSE.equals(m.get("cache"))) {
                continue; // kept in git, not in DVC's cache
            }
            String rel = join(where, file, base, p, false);
            Object hash = m.get("hash");
            if (hash != null && !"md5".equals(hash)) {
                throw bad(where, file, "output " + p + " has hash '" + hash + "'; only md5 outputs can be imported");
            }
            Object md5 = m.get("md5");
            if (!(md5 instanceof String h)) {
                throw bad(where, file, "output " + p + " has no md5; run dvc commit in that commit's checkout");
            }
            boolean dir = h.endsWith(".dir");
            String hex = dir ? h.substring(0, h.length() - 4) : h;
            if (!Md5.isValid(hex)) {
                throw bad(where, file, "output " + p + " has an invalid md5 '" + h + "'");
            }
            long size = m.get("size") instanceof Number n ? n.longValue() : -1;
            long nfiles = !dir ? 1 : m.get("nfiles") instanceof Number n ? n.longValue() : -1;
            boolean exec = Boolean.TRUE.equals(m.get("isexec"));
            into.add(new DvcOut(rel, hex, dir, size, nfiles, hash == null, exec, file));
        }
    }

    /**
     * {@code base/path} normalized ({@code .} dropped, {@code ..} applied), refused if {@code path} is
     * absolute, has empty segments, or leads outside the project or into {@code .git}, {@code .dvc} or
     * {@code .verso}. {@code allowEmpty}: the project root itself is a valid result (a wdir).
     */
    static String join(String where, String file, String base, String path, boolean allowEmpty)
            throws DvcException {
        if (path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0
                || path.matches("[A-Za-z]:.*")) {
            throw bad(where, file, "names path '" + path + "', which is absolute or not a POSIX path; refused");
        }
        List<String> segs = new ArrayList<>();
        if (!base.isEmpty()) {
            segs.addAll(List.of(base.split("/")));
        }
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (String s : p.split("/", -1)) {
            if (s.isEmpty()) {
                throw bad(where, file, "names path '" + path + "', which has an empty segment; refused");
            } else if (s.equals("..")) {
                if (segs.isEmpty()) {
                    throw bad(where, file, "names path '" + path + "', which leads outside the project; refused");
                }
                segs.remove(segs.size() - 1);
            } else if (!s.equals(".")) {
                segs.add(s);
            }
        }
        String rel = String.join("/", segs);
        if (rel.isEmpty()) {
            if (allowEmpty) {
                return rel;
            }
            throw bad(where, file, "names path '" + path + "', which is the project itself; refused");
        }
        String first = segs.get(0);
        if (first.equals(".git") || first.equals(".dvc") || first.equals(".verso") || !Names.isValidRelativePath(rel)) {
            throw bad(where, file, "names path '" + path + "', which is not a data path; refused");
        }
        return rel;
    }

    private static DvcException bad(String where, String file, String what) {
        return new DvcException(where + ": " + file + " " + what);
    }
}
