package verso.cli;

/** Placeholder entry point until the CLI lands. */
public final class Main {
    public static void main(String[] args) {
        System.out.println("verso");
    }
}
