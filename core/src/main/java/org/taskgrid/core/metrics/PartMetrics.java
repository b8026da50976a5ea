package org.taskgrid.core.metrics;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

  /**
   * The tags of one series: the node's tasks, three modes and the error codes, so the map stays
   * small. Own equals and hashCode: the generated ones go through method handles.
   */
  private record Series(String task, Mode mode, String outcome) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Series series
          && mode == series.mode
          && task.equals(series.task)
          && outcome.equals(series.outcome);
    }

    @Override
    public int hashCode() {
      return (task.hashCode() * 31 + mode.hashCode()) * 31 + outcome.hashCode();
    }
  }

  private final MeterRegistry registry;
  /**
   * Each series' timer, found by a map lookup: building and registering it for every part (tags
   * sorted, id hashed, the registry's lock) showed in the profile of small calls.
   */
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();
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
    Series series = new Series(task, mode, outcome);
    Timer timer = timers.get(series);
    if (timer == null) {
      timer = timers.computeIfAbsent(series, this::register);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer register(Series series) {
    return Timer.builder("taskgrid.parts")
        .description("parts from their submission to their answer")
        .tag("task", series.task())
        .tag("mode", series.mode().wireName())
        .tag("outcome", series.outcome())
        .register(registry);
  }
}
