package org.taskgrid.core.metrics;

import java.util.HashMap;
import java.util.Map;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.task.Mode;

/**
 * When each part of one owner (a job) was submitted, so that {@link PartMetrics} can time it when
 * its answer comes. Not thread-safe: it belongs to the one actor that submits the parts.
 */
public final class PartClock {
  private final PartMetrics metrics;
  private final String task;
  private final Mode mode;
  private final Map<String, Long> started = new HashMap<>();

  public PartClock(PartMetrics metrics, String task, Mode mode) {
    this.metrics = metrics;
    this.task = task;
    this.mode = mode;
  }

  public void started(String partId) {
    started.put(partId, System.nanoTime());
  }

  public void ended(PartProtocol.PartOutcome outcome) {
    Long start = started.remove(outcome.partId());
    if (start != null) {
      metrics.ended(task, mode, outcome, start);
    }
  }

  /** Every part still out was cancelled: its answer, if any, will not be waited for. */
  public void cancelAll() {
    long now = System.nanoTime();
    started.values()
        .forEach(
            start ->
                metrics.ended(task, mode, PartProtocol.Failure.CANCELLED.code(), Math.max(0, now - start)));
    started.clear();
  }
}
