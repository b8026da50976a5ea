package org.taskgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How far a job is, from a view of {@code GET /v1/jobs/{id}} or one of its events.
 *
 * @param state {@code running}, {@code succeeded}, {@code failed} or {@code cancelled}
 * @param done parts that succeeded
 * @param failed parts that failed for good
 * @param retried parts that ran again because their worker was lost
 */
record JobProgress(String task, String state, int parts, int done, int failed, int retried) {
  static final String RUNNING = "running";
  static final String SUCCEEDED = "succeeded";

  static JobProgress of(JsonNode view) {
    return new JobProgress(
        view.path("task").asText("?"),
        view.path("state").asText("?"),
        view.path("parts").asInt(0),
        view.path("done").asInt(0),
        view.path("failed").asInt(0),
        view.path("retried").asInt(0));
  }

  /** Parts that will not run again, succeeded or failed. */
  int finished() {
    return done + failed;
  }

  /** From 0 to 1. */
  double fraction() {
    return parts <= 0 ? 0 : Math.min(1.0, (double) finished() / parts);
  }

  boolean isRunning() {
    return state.equals(RUNNING);
  }
}
