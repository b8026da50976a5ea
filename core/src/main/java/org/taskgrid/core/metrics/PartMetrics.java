package org.taskgrid.core.metrics;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.task.Mode;

/**
 * Parts as their submitter sees them end: {@code taskgrid.parts}, a timer tagged {@code task},
 * {@code mode} and {@code outcome} ({@code succeeded} or the failure's error code), from the
 * submission to the answer. From the same answers: {@code taskgrid.router.retries} (attempts
 * beyond the first, each one a part sent again after its worker was lost) and
 * {@code taskgrid.router.worker.lost} (parts that failed because every attempt lost its worker).
 * Thread-safe: timers and counters are.
 */
public final class PartMetrics {
  /** The outcome tag of a part that ran to its end. */
  public static final String SUCCEEDED = "succeeded";

  private final MeterRegistry registry;
  private final Counter retries;
  private final Counter workerLost;

  private PartMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.retries =
        Counter.builder("taskgrid.router.retries")
            .description("parts sent to another executor after theirs was lost")
            .register(registry);
    this.workerLost =
        Counter.builder("taskgrid.router.worker.lost")
            .description("parts failed with worker_lost: every attempt lost its worker")
            .register(registry);
  }

  public static PartMetrics of(ActorSystem<?> system) {
    return NodeMetrics.get(system).meters(PartMetrics.class, PartMetrics::new);
  }

  /** A part submitted at {@code startNanos} (System.nanoTime) ended with {@code outcome}. */
  public void ended(String task, Mode mode, PartProtocol.PartOutcome outcome, long startNanos) {
    String code = outcome instanceof PartProtocol.PartFailed failed ? failed.failure().code() : SUCCEEDED;
    ended(task, mode, code, Math.max(0, System.nanoTime() - startNanos));
    retries.increment(Math.max(0, outcome.attempt() - 1));
    if (outcome instanceof PartProtocol.PartFailed failed
        && failed.failure() == PartProtocol.Failure.WORKER_LOST) {
      workerLost.increment();
    }
  }

  /** A part ended with {@code outcome} (an error code, or {@link #SUCCEEDED}) after so long. */
  public void ended(String task, Mode mode, String outcome, long nanos) {
    Timer.builder("taskgrid.parts")
        .description("parts from their submission to their answer")
        .tag("task", task)
        .tag("mode", mode.wireName())
        .tag("outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
