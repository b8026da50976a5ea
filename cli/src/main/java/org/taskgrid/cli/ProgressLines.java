package org.taskgrid.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines for a log file or a pipe, where a redrawn bar would be noise: at most
 * one line per {@link #INTERVAL}, and always the final one, e.g.
 * {@code progress: 32/64 parts (50%), 0 failed, 0 retried, 12.3/s, 0:03 left}.
 */
final class ProgressLines implements ProgressDisplay {
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final PrintWriter out;
  private final ProgressRate rate;
  private final LongSupplier nanoClock;
  private long lastPrintedNanos;
  private JobProgress lastPrinted;

  ProgressLines(PrintWriter out, ProgressRate rate, LongSupplier nanoClock) {
    this.out = out;
    this.rate = rate;
    this.nanoClock = nanoClock;
  }

  @Override
  public void update(JobProgress progress) {
    long now = nanoClock.getAsLong();
    boolean due = lastPrinted == null || now - lastPrintedNanos >= INTERVAL.toNanos();
    if (due && !progress.equals(lastPrinted)) {
      print(progress, now);
    }
  }

  @Override
  public void finish(JobProgress progress) {
    if (!progress.equals(lastPrinted)) {
      print(progress, nanoClock.getAsLong());
    }
  }

  @Override
  public void abandon() {
    out.flush();
  }

  private void print(JobProgress progress, long now) {
    out.println(line(progress));
    out.flush();
    lastPrinted = progress;
    lastPrintedNanos = now;
  }

  String line(JobProgress progress) {
    String counts =
        String.format(
            Locale.ROOT,
            "%d/%d parts (%d%%), %d failed, %d retried, %s",
            progress.finished(),
            progress.parts(),
            (int) Math.floor(progress.fraction() * 100),
            progress.failed(),
            progress.retried(),
            ProgressRate.perSecond(rate.partsPerSecond(progress)));
    if (progress.isRunning()) {
      return "progress: " + counts + ", " + rate.timeLeft(progress).map(ProgressRate::clock).orElse("--:--") + " left";
    }
    return "progress: " + counts + ", " + progress.state() + " after " + ProgressRate.clock(rate.elapsed());
  }
}
