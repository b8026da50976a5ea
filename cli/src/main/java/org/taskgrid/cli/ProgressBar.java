package org.taskgrid.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A progress bar redrawn in place on a terminal, e.g.
 * {@code primes [##########..........]  32/64  50%  12.3/s  ETA 0:03}: a carriage return goes back
 * to the line's start and ESC [K clears what a longer line left behind.
 */
final class ProgressBar implements ProgressDisplay {
  static final String CLEAR_TO_END = "\u001b[K";
  private static final int MIN_BAR = 10;
  private static final int MAX_BAR = 40;
  /** Room kept for the numbers, so that the bar keeps its width from the first frame to the last. */
  private static final int NUMBERS_ROOM = 46;

  private final PrintWriter out;
  private final int columns;
  private final ProgressRate rate;
  private boolean drawn;
  /** Chosen at the first frame, from the terminal's width and the task's name. */
  private int barWidth = -1;

  ProgressBar(PrintWriter out, int columns, ProgressRate rate) {
    this.out = out;
    this.columns = columns;
    this.rate = rate;
  }

  @Override
  public void update(JobProgress progress) {
    out.print("\r" + line(progress) + CLEAR_TO_END);
    out.flush();
    drawn = true;
  }

  @Override
  public void finish(JobProgress progress) {
    update(progress);
    out.println();
    out.flush();
    drawn = false;
  }

  @Override
  public void abandon() {
    if (drawn) {
      out.println();
      out.flush();
      drawn = false;
    }
  }

  /** The whole line for a width of {@code columns}; the bar takes what the numbers may need. */
  String line(JobProgress progress) {
    OptionalDouble perSecond = rate.partsPerSecond(progress);
    StringBuilder numbers =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "  %d/%d  %3d%%  %s",
                progress.finished(),
                progress.parts(),
                (int) Math.floor(progress.fraction() * 100),
                ProgressRate.perSecond(perSecond)));
    if (progress.isRunning()) {
      numbers.append("  ETA ").append(rate.timeLeft(progress).map(ProgressRate::clock).orElse("--:--"));
    } else {
      numbers.append("  ").append(progress.state()).append(" in ").append(ProgressRate.clock(rate.elapsed()));
    }
    if (progress.failed() > 0) {
      numbers.append("  ").append(progress.failed()).append(" failed");
    }
    if (progress.retried() > 0) {
      numbers.append("  ").append(progress.retried()).append(" retried");
    }
    String label = progress.task() + " ";
    if (barWidth < 0) {
      barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, columns - 1 - label.length() - 2 - NUMBERS_ROOM));
    }
    int filled = (int) Math.floor(progress.fraction() * barWidth);
    String bar = "#".repeat(filled) + ".".repeat(barWidth - filled);
    String line = label + "[" + bar + "]" + numbers;
    // A line wider than the terminal would wrap, and \r would then redraw only its last row.
    return line.length() < columns ? line : line.substring(0, columns - 1);
  }
}
