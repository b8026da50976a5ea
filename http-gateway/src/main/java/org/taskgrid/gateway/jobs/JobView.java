package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A job as {@code GET /v1/jobs/{id}} shows it: a snapshot, immutable.
 *
 * @param state {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}
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
    String state,
    int parts,
    int done,
    int failed,
    int retried,
    JsonNode result,
    List<PartError> errors,
    String createdAt,
    String finishedAt) {

  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  public JobView {
    errors = List.copyOf(errors);
  }

  /** Why one part failed. */
  public record PartError(int part, String code, String message) {}

  public boolean finished() {
    return !state.equals(RUNNING);
  }

  /** The same without result and errors, for listings. */
  public JobView summary() {
    return new JobView(
        id, task, mode, state, parts, done, failed, retried, null, List.of(), createdAt, finishedAt);
  }
}
