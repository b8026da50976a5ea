package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The display for logs and pipes: whole lines, no control characters, at most one a second. */
class ProgressLinesTest {
  private final FakeClock clock = new FakeClock();
  private final StringWriter written = new StringWriter();
  private final ProgressLines lines = new ProgressLines(new PrintWriter(written), new ProgressRate(clock), clock);

  @Test
  void printsPlainLinesAtMostOncePerIntervalAndAlwaysTheLast() {
    lines.update(running(0));
    clock.advance(Duration.ofMillis(300));
    lines.update(running(3)); // within the interval: not printed
    clock.advance(Duration.ofMillis(700));
    lines.update(running(10));
    clock.advance(Duration.ofMillis(100));
    lines.finish(new JobProgress("primes", "succeeded", 40, 40, 0, 1));

    String output = written.toString();
    assertFalse(output.contains("\r"), output);
    assertFalse(output.contains("\u001b"), output);
    assertEquals(
        List.of(
            "progress: 0/40 parts (0%), 0 failed, 0 retried, --/s, --:-- left",
            "progress: 10/40 parts (25%), 0 failed, 0 retried, 10.0/s, 0:03 left",
            "progress: 40/40 parts (100%), 0 failed, 1 retried, 36.4/s, succeeded after 0:01"),
        output.lines().toList());
  }

  @Test
  void anUnchangedViewIsNotPrintedAgain() {
    lines.update(running(5));
    clock.advance(Duration.ofSeconds(5));
    lines.update(running(5));
    lines.finish(running(5));
    assertEquals(1, written.toString().lines().count(), written::toString);
  }

  @Test
  void autoChoosesLinesWhenStderrIsNoTerminalAndABarWhenItIs() {
    PrintWriter out = new PrintWriter(written);
    assertEquals(
        ProgressLines.class,
        ProgressDisplay.create(ProgressDisplay.Style.AUTO, new Terminal(false, 80), out, clock).getClass());
    assertEquals(
        ProgressBar.class,
        ProgressDisplay.create(ProgressDisplay.Style.AUTO, new Terminal(true, 80), out, clock).getClass());
    assertEquals(
        ProgressBar.class,
        ProgressDisplay.create(ProgressDisplay.Style.BAR, new Terminal(false, 80), out, clock).getClass());
  }

  @Test
  void theLauncherTellsWhetherStderrIsATerminal() {
    assertEquals(new Terminal(true, 120), Terminal.detect(java.util.Map.of(Terminal.IS_TERMINAL_VARIABLE, "1", "COLUMNS", "120")));
    assertEquals(new Terminal(false, 80), Terminal.detect(java.util.Map.of(Terminal.IS_TERMINAL_VARIABLE, "0", "COLUMNS", "x")));
  }

  private static JobProgress running(int done) {
    return new JobProgress("primes", "running", 40, done, 0, 0);
  }
}
