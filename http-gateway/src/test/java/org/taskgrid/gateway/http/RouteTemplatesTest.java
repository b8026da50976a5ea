package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Which route template a raw path is counted under in taskgrid.http.requests. */
class RouteTemplatesTest {
  private static final JsonNode DOCUMENT =
      Json.MAPPER
          .createObjectNode()
          .set(
              "paths",
              Json.MAPPER
                  .createObjectNode()
                  .putNull("/health/live")
                  .putNull("/v1/tasks")
                  .putNull("/v1/tasks/{name}")
                  .putNull("/v1/jobs/{id}")
                  .putNull("/v1/jobs/{id}/events"));

  private final RouteTemplates templates = RouteTemplates.of(DOCUMENT);

  @Test
  void aParameterMatchesAnyOneSegment() {
    assertEquals("/v1/tasks/{name}", templates.match("/v1/tasks/echo"));
    assertEquals("/v1/jobs/{id}", templates.match("/v1/jobs/3f2a-77"));
    assertEquals("/v1/jobs/{id}/events", templates.match("/v1/jobs/3f2a-77/events"));
  }

  @Test
  void literalSegmentsMatchExactlyAndATrailingSlashIsTheSameRoute() {
    assertEquals("/v1/tasks", templates.match("/v1/tasks"));
    assertEquals("/v1/tasks", templates.match("/v1/tasks/"));
    assertEquals("/v1/tasks/{name}", templates.match("/v1/tasks/echo/"));
    assertEquals("/health/live", templates.match("/health/live"));
    assertEquals("/", templates.match("/"));
    assertEquals("/dashboard/dashboard.js", templates.match("/dashboard/dashboard.js"));
  }

  @Test
  void anythingElseIsUnmatched() {
    assertEquals(RouteTemplates.UNMATCHED, templates.match("/v1/tasks/echo/more"));
    assertEquals(RouteTemplates.UNMATCHED, templates.match("/v1/jobs//events"));
    assertEquals(RouteTemplates.UNMATCHED, templates.match("/v1/TASKS"));
    assertEquals(RouteTemplates.UNMATCHED, templates.match("/health"));
    assertEquals(RouteTemplates.UNMATCHED, templates.match(""));
    assertEquals(RouteTemplates.UNMATCHED, templates.match("/v1/tasks/a/b/c/d"));
  }
}
