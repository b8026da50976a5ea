package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one way the tests of this module wait for what happens in its own time (a JVM starting, a
 * job ending, the cluster noticing a crash): ask a probe until its answer passes a check, up to a
 * deadline. Polls in the caller's thread. A probe that throws {@link IOException} got no answer
 * yet (the port is not open yet), which counts as "not yet". When it gives up, it fails the test
 * saying what it waited for, how long, the last answer it saw and the caller's context (a log's
 * tail); an abort condition (the process died) ends the wait at once, with its own reason.
 *
 * <pre>{@code
 * Await.atMost(Duration.ofSeconds(60), "the gateway ready")
 *     .abortIf(() -> !gateway.isAlive(), () -> "the gateway died" + gateway.tail())
 *     .until(() -> client.get("/health/ready"), reply -> reply.status() == 200);
 * }</pre>
 */
final class Await {
  private static final Duration DEFAULT_INTERVAL = Duration.ofMillis(200);
  /** A last answer longer than this is cut in the failure message: it must stay readable. */
  private static final int MAX_SHOWN_CHARS = 2000;

  /** Asks once; may block, bounded by its own timeout. */
  @FunctionalInterface
  interface Probe<T> {
    T get() throws IOException, InterruptedException;
  }

  private final Duration within;
  private final String what;
  private final Duration interval;
  private final BooleanSupplier abortIf;
  private final Supplier<String> abortReason;
  private final Supplier<String> context;

  private Await(
      Duration within,
      String what,
      Duration interval,
      BooleanSupplier abortIf,
      Supplier<String> abortReason,
      Supplier<String> context) {
    this.within = within;
    this.what = what;
    this.interval = interval;
    this.abortIf = abortIf;
    this.abortReason = abortReason;
    this.context = context;
  }

  /**
   * A wait of at most {@code within}.
   *
   * @param what what is awaited, as the failure message names it ("the gateway ready")
   */
  static Await atMost(Duration within, String what) {
    return new Await(within, what, DEFAULT_INTERVAL, () -> false, () -> "", () -> "");
  }

  /** The pause between two probes (200 ms unless told); zero probes again at once. */
  Await every(Duration pause) {
    return new Await(within, what, pause, abortIf, abortReason, context);
  }

  /**
   * Ends the wait at once, failing with {@code reason}, once {@code gone} holds and the probe
   * that followed still did not pass (so that what happened just before the end still counts).
   */
  Await abortIf(BooleanSupplier gone, Supplier<String> reason) {
    return new Await(within, what, interval, gone, reason, context);
  }

  /** Appended to the message when the wait times out: a log's tail, what was seen on the way. */
  Await context(Supplier<String> more) {
    return new Await(within, what, interval, abortIf, abortReason, more);
  }

  /** Probes until the answer passes {@code done}, and returns that answer. Probes at least once. */
  <T> T until(Probe<T> probe, Predicate<? super T> done) throws InterruptedException {
    return poll(probe, done, true);
  }

  /** Probes until the condition holds. */
  void until(Probe<Boolean> condition) throws InterruptedException {
    poll(condition, Boolean::booleanValue, false);
  }

  private <T> T poll(Probe<T> probe, Predicate<? super T> done, boolean showLast)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "no answer yet";
    while (true) {
      // Read before the probe: a process that exited before it was probed had its last word.
      boolean gone = abortIf.getAsBoolean();
      try {
        T answer = probe.get();
        if (done.test(answer)) {
          return answer;
        }
        last = String.valueOf(answer);
      } catch (IOException e) {
        last = e.toString();
      }
      if (gone) {
        return fail(abortReason.get());
      }
      if (System.nanoTime() - deadline >= 0) {
        return fail(
            "gave up waiting for " + what + " after " + within + (showLast ? "; last seen: " + shown(last) : "")
                + context.get());
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
