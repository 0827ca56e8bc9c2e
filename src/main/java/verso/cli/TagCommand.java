package verso.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import verso.repo.RepoException;
import verso.repo.RepoLock;
import verso.repo.Repository;
import verso.store.ObjectId;
import verso.store.Version;

@Command(name = "tag", mixinStandardHelpOptions = true,
        description = {"Name a version (default: the current one), delete a name, or list names.",
                "A tag can be moved by tagging again."})
final class TagCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-d", "--delete"}, description = "Delete the tag NAME.")
    boolean delete;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The tag.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "The version (default: head).")
    String version;

    @Override
    public Integer call() throws Exception {
        try (Repository repo = main.openRepository()) {
            if (name == null) {
                if (delete) {
                    throw new RepoException("--delete needs a tag NAME; see verso tag for the list");
                }
                try (RepoLock.Held h = repo.lock().shared()) {
                    List<ObjectId> ids = repo.versions().ids();
                    for (Map.Entry<String, ObjectId> t : repo.versions().tags().entrySet()) {
                        String line = t.getKey() + "  " + repo.versions().shortId(t.getValue(), ids);
                        if (repo.versions().contains(t.getValue())) {
                            Version v = repo.versions().read(t.getValue());
                            line += "  " + v.time() + "  " + v.message();
                        }
                        System.out.println(line);
                    }
                }
                return 0;
            }
            try (RepoLock.Held h = repo.lock().exclusive()) {
                if (delete) {
                    if (version != null) {
                        throw new RepoException("--delete takes only the tag NAME; drop " + version);
                    }
                    repo.versions().deleteTag(name);
                    System.out.println("deleted tag " + name);
                } else {
                    ObjectId id = repo.versions().resolve(version == null ? "head" : version);
                    repo.versions().tag(name, id);
                    System.out.println("tagged " + id.shortHex() + " as " + name);
                }
            }
        }
        return 0;
    }
}
