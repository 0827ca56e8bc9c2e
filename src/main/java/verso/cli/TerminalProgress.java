package verso.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import verso.repo.ProgressListener;

/**
 * A progress bar on a terminal for work above a few MiB or of unknown size; nothing when output is not
 * a terminal.
 */
final class TerminalProgress implements ProgressListener {
    private static final long MIN_BYTES = 16L << 20;
    private ProgressBar bar;

    static ProgressListener forConsole() {
        return System.console() != null ? new TerminalProgress() : ProgressListener.NONE;
    }

    @Override
    public synchronized void start(String task, long total) {
        done();
        // An unknown total (-1, a scan that stores as it walks) shows a bar without an end.
        if (total >= MIN_BYTES || total < 0) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit("MiB", 1 << 20)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(200).continuousUpdate().build();
        }
    }

    @Override
    public void advance(long n) {
        ProgressBar b = bar;
        if (b != null) {
            b.stepBy(n);
        }
    }

    @Override
    public synchronized void done() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
