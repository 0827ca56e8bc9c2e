package verso.dvc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import verso.store.FileInserter.FileContent;
import verso.store.ObjectId;

/**
 * What earlier imports did, in {@code .verso/dvc-import}: the verso version of each imported git commit,
 * and the verso content of each DVC object already read (so that no object is read twice, across runs
 * too). Rewritten whole (temp file, then move) after each recorded version, so an interrupted import
 * resumes after its last version. It is a cache of facts that can be recomputed: a damaged line is
 * ignored, and an entry whose objects left the store is not used.
 */
final class ImportState {
    static final String FILE = "dvc-import";
    private static final String HEADER = "verso dvc-import 1";

    private final Path file;
    private final Map<String, ObjectId> commits = new LinkedHashMap<>();
    private final Map<String, FileContent> objects = new LinkedHashMap<>();

    private ImportState(Path file) {
        this.file = file;
    }

    static ImportState load(Path versoDir) throws IOException {
        ImportState s = new ImportState(versoDir.resolve(FILE));
        String text;
        try {
            text = Files.readString(s.file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return s;
        }
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            try {
                if (f.length == 3 && f[0].equals("commit") && ObjectId.isValidHex(f[2])) {
                    s.commits.put(f[1], ObjectId.fromHex(f[2]));
                } else if (f.length == 5 && f[0].equals("object") && Md5.isValid(f[1]) && ObjectId.isValidHex(f[2])) {
                    s.objects.put(f[1], new FileContent(ObjectId.fromHex(f[2]), f[3].equals("1"), Long.parseLong(f[4])));
                }
            } catch (NumberFormatException e) {
                // a damaged line: that fact is recomputed
            }
        }
        return s;
    }

    ObjectId version(String commit) {
        return commits.get(commit);
    }

    void putVersion(String commit, ObjectId version) {
        commits.put(commit, version);
    }

    FileContent object(String md5) {
        return objects.get(md5);
    }

    void putObject(String md5, FileContent content) {
        objects.put(md5, content);
    }

    void save() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        commits.forEach((c, v) -> sb.append("commit ").append(c).append(' ').append(v.hex()).append('\n'));
        objects.forEach((m, c) -> sb.append("object ").append(m).append(' ').append(c.id().hex()).append(' ')
                .append(c.chunked() ? 1 : 0).append(' ').append(c.size()).append('\n'));
        Path temp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(temp, sb, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
