package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.TestGateway;

/**
 * Jobs against a small memory budget (1 MiB), result limit (64 KiB) and retention (200 KiB): a job
 * over the budget now is 503 with Retry-After, one that could never fit is 413, a job whose
 * results outgrow the limit fails with too_large, and retention forgets the oldest results when
 * their bytes are over the bound.
 */
class JobMemoryTest {
  private static final Duration FINISH_WITHIN = Duration.ofSeconds(60);

  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig(
          """
          taskgrid.admission.memory-budget = 1 MiB
          taskgrid.jobs.max-result-size = 64 KiB
          taskgrid.jobs.max-retained-size = 200 KiB
          """);

  @Test
  void aJobOverTheBudgetIsRefusedUntilMemoryIsFreed() throws Exception {
    String holder = JobCalls.start(gateway, sleepJob(2000, 10_000));
    try {
      HttpResult refused = gateway.post("/v1/jobs", sleepJob(2000, 10));
      assertError(refused, 503, "overloaded", null);
      assertTrue(refused.header("Retry-After").isPresent(), refused::toString);

      HttpResult never = gateway.post("/v1/jobs", sleepJob(5000, 10));
      assertError(never, 413, "too_large", null);
    } finally {
      assertEquals(202, gateway.delete("/v1/jobs/" + holder).status());
    }
    JobCalls.awaitFinished(gateway, holder, FINISH_WITHIN);
    String after = JobCalls.start(gateway, sleepJob(2000, 1));
    assertEquals("succeeded", JobCalls.awaitFinished(gateway, after, FINISH_WITHIN).path("state").asText());
  }

  @Test
  void aJobWhoseResultsOutgrowTheLimitFailsWithTooLarge() throws Exception {
    String id = JobCalls.start(gateway, echoJob(1000, 60));
    JsonNode job = JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);
    assertEquals("failed", job.path("state").asText(), () -> JobCalls.abbreviated(job));
    assertTrue(job.path("result").isNull() || job.path("result").isMissingNode(), () -> JobCalls.abbreviated(job));
    JsonNode error = job.path("errors").get(0);
    assertEquals("too_large", error.path("code").asText(), () -> JobCalls.abbreviated(job));
    assertTrue(error.path("message").asText().contains("max-result-size"), () -> JobCalls.abbreviated(job));
  }

  @Test
  void retentionForgetsTheOldestResultsBeyondItsBytes() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String id = JobCalls.start(gateway, echoJob(500, 80)); // about 45 KB of results each
      assertEquals("succeeded", JobCalls.awaitFinished(gateway, id, FINISH_WITHIN).path("state").asText());
      ids.add(id);
    }
    // Forgotten in memory at once; in the job store once the last job's end is written there.
    HttpResult oldest =
        Await.atMost(FINISH_WITHIN, "the oldest job forgotten")
            .until(() -> gateway.get("/v1/jobs/" + ids.get(0)), answer -> answer.status() != 200);
    assertError(oldest, 404, "unknown_job", null);
    JsonNode newest = JobCalls.view(gateway, ids.get(ids.size() - 1));
    assertEquals(500, newest.path("result").size());
  }

  private static String sleepJob(int parts, int millis) {
    return "{\"task\":\"sleep\",\"mode\":\"async\",\"inputs\":["
        + String.join(",", java.util.Collections.nCopies(parts, "{\"millis\":" + millis + "}"))
        + "]}";
  }

  private static String echoJob(int parts, int textLength) {
    String input = "{\"text\":\"" + "x".repeat(textLength) + "\"}";
    return "{\"task\":\"echo\",\"inputs\":[" + String.join(",", java.util.Collections.nCopies(parts, input)) + "]}";
  }
}
