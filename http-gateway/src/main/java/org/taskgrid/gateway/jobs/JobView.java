package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A job as {@code GET /v1/jobs/{id}} shows it: a snapshot, immutable.
 *
 * @param result the merged result (split input) or the part results in input order (inputs),
 *     once the job succeeded; null before and otherwise
 * @param errors the parts that failed, with why
 * @param createdAt ISO-8601
 * @param finishedAt ISO-8601, null while running
 */
public record JobView(
    String id,
    String task,
    String mode,
    JobState state,
    int parts,
    int done,
    int failed,
    int retried,
    JsonNode result,
    List<PartError> errors,
    String createdAt,
    String finishedAt) {

  public JobView {
    errors = List.copyOf(errors);
  }

  /** Why one part failed. */
  public record PartError(int part, String code, String message) {}

  /** A job just accepted: running, nothing done yet. */
  public static JobView accepted(String id, JobSpec spec, String createdAt) {
    return new JobView(
        id, spec.task().name(), spec.mode().wireName(), JobState.RUNNING, spec.inputs().size(),
        0, 0, 0, null, List.of(), createdAt, null);
  }

  public boolean finished() {
    return state.finished();
  }

  /**
   * The job failed as a whole, not by a part: its last known progress, with why.
   *
   * @param code an error code of the HTTP contract
   */
  public JobView failedWith(String code, String message, String finishedAt) {
    List<PartError> all = new java.util.ArrayList<>(errors);
    all.add(new PartError(-1, code, message));
    return new JobView(
        id, task, mode, JobState.FAILED, parts, done, failed, retried, null, all, createdAt, finishedAt);
  }

  /** The same without result and errors, for listings. */
  public JobView summary() {
    return new JobView(
        id, task, mode, state, parts, done, failed, retried, null, List.of(), createdAt, finishedAt);
  }
}
