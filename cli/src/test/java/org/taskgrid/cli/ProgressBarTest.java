package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The terminal display: one line redrawn in place, with done/total, percent, rate and time left. */
class ProgressBarTest {
  private final FakeClock clock = new FakeClock();
  private final StringWriter written = new StringWriter();
  private final ProgressBar bar = new ProgressBar(new PrintWriter(written), 80, new ProgressRate(clock));

  @Test
  void eachUpdateRedrawsTheSameLineWithCountsRateAndTimeLeft() {
    bar.update(running(0, 0));
    clock.advance(Duration.ofSeconds(2));
    bar.update(running(20, 0));

    String output = written.toString();
    assertTrue(output.startsWith("\r"), output);
    assertEquals(-1, output.indexOf('\n'), "a bar never moves to a new line while running: " + output);
    String[] redraws = output.substring(1).split("\r");
    assertEquals(2, redraws.length, output);
    assertEquals("primes [........................]  0/80    0%  --/s  ETA --:--" + ProgressBar.CLEAR_TO_END, redraws[0]);
    // 20 of 80 in 2 s: 10 parts/s, 60 left: 6 s.
    assertEquals("primes [######..................]  20/80   25%  10.0/s  ETA 0:06" + ProgressBar.CLEAR_TO_END, redraws[1]);
  }

  @Test
  void finishDrawsTheFinalStateAndEndsTheLine() {
    ProgressBar bar = new ProgressBar(new PrintWriter(written), 120, new ProgressRate(clock));
    bar.update(running(0, 0));
    clock.advance(Duration.ofSeconds(4));
    bar.finish(new JobProgress("primes", "succeeded", 80, 80, 0, 3));

    String output = written.toString();
    assertTrue(output.endsWith(ProgressBar.CLEAR_TO_END + System.lineSeparator()), output);
    String last = output.substring(output.lastIndexOf('\r') + 1).strip();
    assertTrue(last.startsWith("primes [" + "#".repeat(40) + "]"), last);
    assertTrue(last.contains("]  80/80  100%  20.0/s  succeeded in 0:04  3 retried" + ProgressBar.CLEAR_TO_END), last);
  }

  @Test
  void failedPartsShowAndTheLineNeverOutgrowsTheTerminal() {
    ProgressBar narrow = new ProgressBar(new PrintWriter(written), 40, new ProgressRate(clock));
    String line = narrow.line(new JobProgress("a-task-with-a-long-name", "running", 100_000, 5_000, 7, 2));
    assertTrue(line.length() < 40, line);
    String wide = bar.line(new JobProgress("sha256", "running", 10, 4, 1, 0));
    assertTrue(wide.contains(" 5/10   50%") && wide.endsWith("  1 failed"), wide);
  }

  @Test
  void abandoningEndsADrawnLineOnce() {
    bar.abandon();
    assertEquals("", written.toString(), "nothing drawn, nothing to end");
    bar.update(running(1, 0));
    bar.abandon();
    bar.abandon();
    assertTrue(written.toString().endsWith(ProgressBar.CLEAR_TO_END + System.lineSeparator()));
  }

  private static JobProgress running(int done, int failed) {
    return new JobProgress("primes", "running", 80, done, failed, 0);
  }
}
