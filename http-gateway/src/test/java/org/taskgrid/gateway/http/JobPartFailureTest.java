package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.abbreviated;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * A job whose part fails for good fails as a whole, and starts no part after that failure. Parts
 * here may run 300 ms, and a job runs at most two at once, so what started is what the counts say.
 */
class JobPartFailureTest {
  private static final int WINDOW = 2;

  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig(
          """
          taskgrid.jobs.part-timeout = 300ms
          taskgrid.jobs.max-window = %d
          """
              .formatted(WINDOW));

  @Test
  void aPartOverItsTimeoutFailsTheJobAndNoFurtherPartStarts() throws Exception {
    String id = JobCalls.start(gateway, JobRoutesTest.sleeps(10, "thread", 2000));

    JsonNode job = JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(15));
    JsonNode errors = job.path("errors");
    assertAll(
        abbreviated(job),
        () -> assertEquals("failed", job.path("state").asText()),
        () -> assertEquals(10, job.path("parts").asInt()),
        () -> assertEquals(0, job.path("done").asInt()),
        () -> assertTrue(job.path("failed").asInt() >= 1),
        // Only the parts of the first window ever started: dispatching stopped at the failure.
        () -> assertTrue(job.path("done").asInt() + job.path("failed").asInt() <= WINDOW),
        () -> assertTrue(job.path("result").isNull()),
        () -> assertTrue(job.path("finishedAt").isTextual()),
        () -> assertEquals(job.path("failed").asInt(), errors.size()));
    for (JsonNode error : errors) {
      assertEquals("timeout", error.path("code").asText(), error::toString);
      int part = error.path("part").asInt(-1);
      assertTrue(part >= 0 && part < WINDOW, () -> "a part of the first window: " + error);
      assertTrue(error.path("message").asText().contains("300 ms"), error::toString);
    }

    Thread.sleep(500);
    assertEquals(job, JobCalls.view(gateway, id), "a failed job stays as it ended");
  }

  @Test
  void partsWithinTheirTimeoutSucceedWindowAfterWindow() throws Exception {
    String id = JobCalls.start(gateway, JobRoutesTest.sleeps(6, "thread", 20));

    JsonNode job = JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(15));
    assertEquals("succeeded", job.path("state").asText(), () -> abbreviated(job));
    assertEquals(6, job.path("done").asInt());
    assertEquals(0, job.path("failed").asInt());
    assertFalse(job.path("errors").elements().hasNext());
    assertEquals(HttpResult.parse("{\"slept\":20}"), job.path("result").get(5));
  }
}
