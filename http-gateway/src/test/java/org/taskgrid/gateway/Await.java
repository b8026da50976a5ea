package org.taskgrid.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The one way the tests of this module wait for what happens in its own time (the gateway getting
 * ready, a job ending, a line being logged): ask a probe until its answer passes a check, up to a
 * deadline. Polls in the caller's thread. A probe that throws {@link IOException} got no answer
 * yet, which counts as "not yet". When it gives up, it fails the test saying what it waited for,
 * how long, and the last answer it saw.
 *
 * <pre>{@code
 * Await.atMost(Duration.ofSeconds(20), "the gateway ready")
 *     .until(() -> gateway.get("/health/ready"), answer -> answer.status() == 200);
 * }</pre>
 */
public final class Await {
  private static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);
  /** A last answer longer than this is cut in the failure message: it must stay readable. */
  private static final int MAX_SHOWN_CHARS = 600;

  /** Asks once; may block, bounded by its own timeout. */
  @FunctionalInterface
  public interface Probe<T> {
    T get() throws IOException, InterruptedException;
  }

  private final Duration within;
  private final String what;
  private final Duration interval;

  private Await(Duration within, String what, Duration interval) {
    this.within = within;
    this.what = what;
    this.interval = interval;
  }

  /**
   * A wait of at most {@code within}.
   *
   * @param what what is awaited, as the failure message names it ("the gateway ready")
   */
  public static Await atMost(Duration within, String what) {
    return new Await(within, what, DEFAULT_INTERVAL);
  }

  /** The pause between two probes (50 ms unless told). */
  public Await every(Duration pause) {
    return new Await(within, what, pause);
  }

  /** Probes until the answer passes {@code done}, and returns that answer. Probes at least once. */
  public <T> T until(Probe<T> probe, Predicate<? super T> done) throws InterruptedException {
    return poll(probe, done, true);
  }

  /** Probes until the condition holds. */
  public void until(Probe<Boolean> condition) throws InterruptedException {
    poll(condition, Boolean::booleanValue, false);
  }

  private <T> T poll(Probe<T> probe, Predicate<? super T> done, boolean showLast)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "no answer yet";
    while (true) {
      try {
        T answer = probe.get();
        if (done.test(answer)) {
          return answer;
        }
        last = String.valueOf(answer);
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() - deadline >= 0) {
        return fail(
            "gave up waiting for " + what + " after " + within
                + (showLast ? "; last seen: " + shown(last) : ""));
      }
      Thread.sleep(interval.toMillis());
    }
  }

  private static String shown(String last) {
    return last.length() <= MAX_SHOWN_CHARS
        ? last
        : last.substring(0, MAX_SHOWN_CHARS) + "... (" + last.length() + " chars)";
  }
}
