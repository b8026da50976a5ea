package org.taskgrid.gateway.jobs.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.taskgrid.gateway.jobs.JobState;

/**
 * A job as the store keeps it. Listings leave out the large texts ({@code request}, {@code result},
 * {@code errors}: null there).
 *
 * @param mode the execution mode's wire name
 * @param request the job's validated JSON body, enough to build its spec again
 * @param done parts with a recorded result (each counted once)
 * @param result compact JSON, null until the job succeeded
 * @param errors JSON array of {@code {part, code, message}}, null when there are none
 * @param createdAt to the microsecond (what both databases keep)
 * @param finishedAt null while running
 * @param owner the unique cluster address of the gateway running it; null once finished
 * @param resultBytes the size of the result, for retention by size
 */
public record StoredJob(
    String id,
    String task,
    String mode,
    String request,
    int parts,
    JobState state,
    int done,
    int failed,
    int retried,
    String result,
    String errors,
    Instant createdAt,
    Instant finishedAt,
    String owner,
    boolean cancelRequested,
    long resultBytes) {

  public StoredJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(state, "state");
    createdAt = createdAt.truncatedTo(ChronoUnit.MICROS);
    finishedAt = finishedAt == null ? null : finishedAt.truncatedTo(ChronoUnit.MICROS);
    if (parts < 0 || done < 0 || failed < 0 || retried < 0 || resultBytes < 0) {
      throw new IllegalArgumentException("a job's counts are never negative");
    }
  }

  /** A job just accepted by {@code owner}: running, nothing done yet. What {@link JobStore#create} takes. */
  public static StoredJob accepted(
      String id, String task, String mode, String request, int parts, Instant createdAt, String owner) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(owner, "owner");
    return new StoredJob(
        id, task, mode, request, parts, JobState.RUNNING, 0, 0, 0, null, null, createdAt, null, owner, false, 0);
  }
}
