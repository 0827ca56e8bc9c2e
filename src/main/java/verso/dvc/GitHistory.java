package verso.dvc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The git side, through the {@code git} program: the first-parent history of HEAD oldest first, the
 * files of a commit, and a blob's bytes. Paths are those below the DVC project's folder (which may be a
 * subfolder of the git repository, as with {@code dvc init --subdir}).
 */
final class GitHistory {
    /** One commit: full id, author time, message. */
    record Commit(String id, Instant time, String message) {
        String shortId() {
            return id.substring(0, 7);
        }

        String subject() {
            return message.lines().findFirst().orElse("");
        }
    }

    /** One file of a commit's tree: its path below the project folder and its blob id. */
    record FileRef(String path, String blob) {
    }

    private final Path dir;

    GitHistory(Path dir) {
        this.dir = dir;
    }

    /** HEAD's first-parent history, oldest first; from {@code from} on (inclusive) if it is not null. */
    List<Commit> commits(String from) throws IOException {
        try {
            run("rev-parse", "--verify", "--quiet", "HEAD^{commit}");
        } catch (DvcException e) {
            throw new DvcException(dir + " is not in a git repository with commits; give the DVC project's folder");
        }
        String out = text(run("log", "--first-parent", "--reverse", "--format=%H%x00%at%x00%B%x00%x1e", "HEAD", "--"));
        List<Commit> all = new ArrayList<>();
        for (String rec : out.split("\u001e")) {
            String r = rec.strip();
            if (r.isEmpty()) {
                continue;
            }
            String[] f = r.split("\0", -1);
            all.add(new Commit(f[0].strip(), Instant.ofEpochSecond(Long.parseLong(f[1].strip())), f[2].strip()));
        }
        if (from == null) {
            return all;
        }
        String id;
        try {
            id = text(run("rev-parse", "--verify", "--quiet", from + "^{commit}")).strip();
        } catch (DvcException e) {
            throw new DvcException("--from " + from + " is not a commit of " + dir + "; give a commit id or a tag");
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id().equals(id)) {
                return all.subList(i, all.size());
            }
        }
        throw new DvcException("--from " + from + " is not a commit on the first-parent history of HEAD; "
                + "give one that git log --first-parent shows");
    }

    /** The files of {@code commit} below the project folder, paths relative to it. */
    List<FileRef> files(String commit) throws IOException {
        List<FileRef> out = new ArrayList<>();
        String listing = text(run("ls-tree", "-r", "-z", commit, "--", "."));
        for (String line : listing.split("\0")) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String[] meta = line.substring(0, tab).split(" ");
            if (meta.length == 3 && meta[1].equals("blob")) {
                out.add(new FileRef(line.substring(tab + 1), meta[2]));
            }
        }
        return out;
    }

    byte[] blob(String id) throws IOException {
        return run("cat-file", "blob", id);
    }

    private byte[] run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new DvcException("cannot run git (" + e.getMessage() + "); install git to import a DVC project");
        }
        p.getOutputStream().close();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        try {
            int code = p.waitFor();
            if (code != 0) {
                String msg = text(err.join()).strip().lines().findFirst().orElse("exit " + code);
                throw new DvcException("git " + String.join(" ", args) + " failed in " + dir + ": " + msg);
            }
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for git", e);
        }
        return out;
    }

    private static byte[] drain(InputStream in) {
        try (in; ByteArrayOutputStream b = new ByteArrayOutputStream()) {
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
