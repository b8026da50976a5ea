package org.taskgrid.gateway.jobs.store;

import java.time.Instant;
import java.util.Objects;
import org.taskgrid.gateway.jobs.JobState;

/**
 * How a job ended, as {@link JobStore#finish} writes it. The counters are the coordinator's final
 * ones: a flush of the last part results may still be on its way and is fenced off once the job
 * has finished, so the end must not rely on it.
 *
 * @param state succeeded, failed or cancelled
 * @param result compact JSON when succeeded, else null
 * @param errors JSON array of {@code {part, code, message}}, or null when there are none
 */
public record JobEnd(
    JobState state, int done, int failed, int retried, String result, String errors, Instant finishedAt) {

  public JobEnd {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(finishedAt, "finishedAt");
    if (!state.finished()) {
      throw new IllegalArgumentException("a job ends succeeded, failed or cancelled, not " + state.wireName());
    }
    if (done < 0 || failed < 0 || retried < 0) {
      throw new IllegalArgumentException("a job's counts are never negative");
    }
    if (result != null) {
      JobStore.requireStorableText(result, "result");
    }
    if (errors != null) {
      JobStore.requireStorableText(errors, "errors");
    }
  }
}
