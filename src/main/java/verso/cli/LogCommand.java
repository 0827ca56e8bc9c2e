package verso.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.repo.VersionLog;
import verso.store.ObjectId;
import verso.store.TreeEntry;
import verso.sync.RemoteVersions;

@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"List versions, newest first: short id, time (UTC), message, tracked paths.",
                "Every version present locally (or, with --remote, on the remote) is listed,",
                "whatever its parent."})
final class LogCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-n", "--max-count"}, paramLabel = "N", description = "Show at most N versions.")
    Integer max;

    @Option(names = "--json", description = "Machine-readable output: a JSON array.")
    boolean json;

    @Option(names = "--remote", paramLabel = "NAME",
            description = "List the versions on remote NAME (pushed from any clone) instead of the local ones.")
    String remote;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository(); RepoLock.Held h = repo.lock().shared()) {
            if (max != null && max < 0) {
                throw new verso.repo.RepoException("-n must be at least 0; give a count of versions");
            }
            List<VersionLog.Entry> all;
            Map<String, ObjectId> tagMap;
            if (remote != null) {
                try (RemoteVersions r = RemoteWiring.remote(repo, remote)) {
                    all = r.list(repo.versions());
                    tagMap = r.tags();
                }
            } else {
                all = repo.versions().list();
                tagMap = repo.versions().tags();
            }
            List<VersionLog.Entry> shown = max == null ? all : all.subList(0, Math.min(max, all.size()));
            Map<ObjectId, List<String>> tags = new HashMap<>();
            tagMap.forEach((name, id) -> tags.computeIfAbsent(id, k -> new ArrayList<>()).add(name));
            ObjectId head = repo.head().orElse(null);
            List<ObjectId> ids = all.stream().map(VersionLog.Entry::id).toList();
            if (json) {
                printJson(shown, tags, head);
                return 0;
            }
            if (all.isEmpty()) {
                System.out.println(remote != null ? "no versions on " + remote + "; send some with verso push"
                        : "no versions yet; run verso commit");
            }
            for (VersionLog.Entry e : shown) {
                List<String> marks = new ArrayList<>();
                if (e.id().equals(head)) {
                    marks.add("head");
                }
                marks.addAll(tags.getOrDefault(e.id(), List.of()));
                String msg = e.version().message().isEmpty() ? "(no message)" : e.version().message();
                System.out.println(repo.versions().shortId(e.id(), ids) + "  " + e.version().time() + "  " + msg
                        + (marks.isEmpty() ? "" : "  [" + String.join(", ", marks) + "]"));
                System.out.println("    " + Format.paths(e.version().paths()));
            }
        }
        return 0;
    }

    private static void printJson(List<VersionLog.Entry> shown, Map<ObjectId, List<String>> tags, ObjectId head)
            throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartArray();
            for (VersionLog.Entry e : shown) {
                g.writeStartObject();
                g.writeStringField("id", e.id().hex());
                g.writeStringField("parent", e.version().parent() == null ? null : e.version().parent().hex());
                g.writeStringField("time", e.version().time().toString());
                g.writeStringField("message", e.version().message());
                g.writeBooleanField("head", e.id().equals(head));
                g.writeArrayFieldStart("tags");
                for (String t : tags.getOrDefault(e.id(), List.of())) {
                    g.writeString(t);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("paths");
                for (TreeEntry p : e.version().paths()) {
                    g.writeStartObject();
                    g.writeStringField("path", p.name());
                    g.writeStringField("type", p.type().code());
                    g.writeStringField("id", p.id() == null ? null : p.id().hex());
                    g.writeNumberField("size", p.size());
                    g.writeNumberField("files", p.files());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        System.out.println(out);
    }
}
