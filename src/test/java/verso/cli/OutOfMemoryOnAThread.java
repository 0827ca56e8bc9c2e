package verso.cli;

/** Runs out of heap on a thread other than main, with verso's handler for such threads, while main waits. */
final class OutOfMemoryOnAThread {
    private OutOfMemoryOnAThread() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread.setDefaultUncaughtExceptionHandler(Main::uncaught);
        Thread worker = new Thread(() -> System.out.println(new byte[Integer.MAX_VALUE - 16].length), "worker");
        worker.start();
        Thread.sleep(Long.MAX_VALUE);
    }
}
