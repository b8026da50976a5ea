package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Builds a job from its request as {@code POST /v1/jobs} does (the same checks, the same charge
 * to the memory budget), so that any gateway can build again a job that the store holds.
 */
public interface JobRequests {

  /** The job of this request; its spec holds the request's charge of the memory budget. */
  Rebuilt rebuild(JsonNode request);

  /** What {@link #rebuild} made of a request. */
  sealed interface Rebuilt {}

  record Built(JobSpec spec) implements Rebuilt {}

  /** It may be built later: the memory budget is full now. */
  record NotNow(String why) implements Rebuilt {}

  /**
   * It can never be built here: an unknown task, an input this gateway's tasks refuse.
   *
   * @param code an error code of the HTTP contract
   */
  record Invalid(String code, String message) implements Rebuilt {}
}
