package verso.fs;

/** One name in a directory listing, with the attributes getattr would report for it. */
public record DirEntry(String name, Attributes attributes) {
}
