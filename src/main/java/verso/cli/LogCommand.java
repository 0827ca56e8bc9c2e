package verso.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"List versions, newest first: short id, time (UTC), message, tracked paths.",
                "Every version present locally is listed, whatever its parent."})
final class LogCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-n", "--max-count"}, paramLabel = "N", description = "Show at most N versions.")
    Integer max;

    @Option(names = "--json", description = "Machine-readable output: a JSON array.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository(); RepoLock.Held h = repo.lock().shared()) {
            List<VersionLog.Entry> all = repo.versions().list();
            if (max != null && max < 0) {
                throw new verso.repo.RepoException("-n must be at least 0; give a count of versions");
            }
            List<VersionLog.Entry> shown = max == null ? all : all.subList(0, Math.min(max, all.size()));
            Map<ObjectId, List<String>> tags = new HashMap<>();
            repo.versions().tags().forEach((name, id) -> tags.computeIfAbsent(id, k -> new ArrayList<>()).add(name));
            ObjectId head = repo.head().orElse(null);
            List<ObjectId> ids = all.stream().map(VersionLog.Entry::id).toList();
            if (json) {
                printJson(shown, tags, head);
                return 0;
            }
            if (all.isEmpty()) {
                System.out.println("no versions yet; run verso commit");
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
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode arr = m.createArrayNode();
        for (VersionLog.Entry e : shown) {
            ObjectNode n = arr.addObject();
            n.put("id", e.id().hex());
            n.put("parent", e.version().parent() == null ? null : e.version().parent().hex());
            n.put("time", e.version().time().toString());
            n.put("message", e.version().message());
            n.put("head", e.id().equals(head));
            ArrayNode t = n.putArray("tags");
            tags.getOrDefault(e.id(), List.of()).forEach(t::add);
            ArrayNode ps = n.putArray("paths");
            for (TreeEntry p : e.version().paths()) {
                ObjectNode pn = ps.addObject();
                pn.put("path", p.name());
                pn.put("type", p.type().code());
                pn.put("id", p.id() == null ? null : p.id().hex());
                pn.put("size", p.size());
                pn.put("files", p.files());
            }
        }
        System.out.println(m.writeValueAsString(arr));
    }
}
