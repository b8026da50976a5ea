package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;

/** Follows a job of {@code POST /v1/jobs} over HTTP. */
final class Jobs {
  private static final Duration POLL = Duration.ofMillis(250);

  private Jobs() {}

  /** Polls {@code GET status} until the job's state is no longer running; returns that view. */
  static JsonNode awaitFinished(GatewayClient client, String status, Duration timeout)
      throws InterruptedException {
    return Await.atMost(timeout, "end of the job " + status)
        .every(POLL)
        .until(() -> view(client, status), job -> !job.path("state").asText().equals("running"));
  }

  /** {@code GET status}, which must answer 200. */
  private static JsonNode view(GatewayClient client, String status)
      throws IOException, InterruptedException {
    GatewayClient.Reply reply = client.get(status, Duration.ofSeconds(5));
    assertEquals(200, reply.status(), reply::toString);
    return reply.json();
  }
}
