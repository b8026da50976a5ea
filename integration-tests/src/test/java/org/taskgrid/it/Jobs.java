package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;

/** Follows a job of {@code POST /v1/jobs} over HTTP. */
final class Jobs {
  private static final Duration POLL = Duration.ofMillis(250);

  private Jobs() {}

  /** Polls {@code GET status} until the job's state is no longer running; returns that view. */
  static JsonNode awaitFinished(GatewayClient client, String status, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode job = null;
    while (System.nanoTime() < deadline) {
      GatewayClient.Reply reply = client.get(status, Duration.ofSeconds(5));
      assertEquals(200, reply.status(), reply::toString);
      job = reply.json();
      if (!job.path("state").asText().equals("running")) {
        return job;
      }
      Thread.sleep(POLL.toMillis());
    }
    return fail("the job " + status + " did not finish within " + timeout + "; last: " + job);
  }
}
