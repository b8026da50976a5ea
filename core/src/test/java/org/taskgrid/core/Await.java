package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the tests of this module wait for what happens in its own time (nodes seeing each
 * other Up, the router's view changing, pool threads starting): ask a probe until its answer passes
 * a check, up to a deadline. Polls in the caller's thread. When it gives up, it fails the test
 * saying what it waited for, how long, and the last answer it saw.
 *
 * <pre>{@code
 * Await.atMost(Duration.ofSeconds(10), "the router showing the worker active")
 *     .until(() -> status(gateway, router), status -> isIn(status, worker, "active"));
 * }</pre>
 */
public final class Await {
  private static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);
  /** A last answer longer than this is cut in the failure message: it must stay readable. */
  private static final int MAX_SHOWN_CHARS = 2000;

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
   * @param what what is awaited, as the failure message names it ("every node Up")
   */
  public static Await atMost(Duration within, String what) {
    return new Await(within, what, DEFAULT_INTERVAL);
  }

  /** The pause between two probes (50 ms unless told). */
  public Await every(Duration pause) {
    return new Await(within, what, pause);
  }

  /** Probes until the answer passes {@code done}, and returns that answer. Probes at least once. */
  public <T> T until(Supplier<T> probe, Predicate<? super T> done) {
    return poll(probe, done, true);
  }

  /** Probes until the condition holds. */
  public void until(BooleanSupplier condition) {
    poll(condition::getAsBoolean, Boolean::booleanValue, false);
  }

  private <T> T poll(Supplier<T> probe, Predicate<? super T> done, boolean showLast) {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      T answer = probe.get();
      if (done.test(answer)) {
        return answer;
      }
      if (System.nanoTime() - deadline >= 0) {
        return fail(
            "gave up waiting for " + what + " after " + within
                + (showLast ? "; last seen: " + shown(String.valueOf(answer)) : ""));
      }
      pause();
    }
  }

  private void pause() {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }

  private static String shown(String last) {
    return last.length() <= MAX_SHOWN_CHARS
        ? last
        : last.substring(0, MAX_SHOWN_CHARS) + "... (" + last.length() + " chars)";
  }
}
