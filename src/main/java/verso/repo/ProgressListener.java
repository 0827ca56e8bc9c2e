package verso.repo;

/** Progress of long work (bytes stored or written). Implementations must be thread-safe. */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void start(String task, long total) {
        }

        @Override
        public void advance(long n) {
        }

        @Override
        public void done() {
        }
    };

    /** A new task of {@code total} units (bytes); -1 if unknown. */
    void start(String task, long total);

    void advance(long n);

    void done();
}
