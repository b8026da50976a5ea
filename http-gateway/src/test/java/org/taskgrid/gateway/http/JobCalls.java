package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/** Starting jobs over HTTP and polling them, every wait bounded. */
final class JobCalls {
  private JobCalls() {}

  /** POSTs the job and checks the 202 of the contract; returns the job's id. */
  static String start(TestGateway gateway, String body) throws Exception {
    return accepted(gateway.post("/v1/jobs", body));
  }

  /** Checks a 202 answer to {@code POST /v1/jobs}: Location and {id, status} agree. */
  static String accepted(HttpResult created) {
    assertEquals(202, created.status(), created::toString);
    assertEquals("application/json", created.header("Content-Type").orElse(null), created::toString);
    JsonNode body = created.json();
    String id = body.path("id").asText();
    assertTrue(id.matches("[0-9a-f-]{36}"), created::toString);
    assertEquals("/v1/jobs/" + id, body.path("status").asText(), created::toString);
    assertEquals("/v1/jobs/" + id, created.header("Location").orElse(null), created::toString);
    assertEquals(2, body.size(), () -> "only id and status: " + created);
    return id;
  }

  /** {@code GET /v1/jobs/{id}}, which must answer 200. */
  static JsonNode view(TestGateway gateway, String id) throws IOException, InterruptedException {
    HttpResult answer = gateway.get("/v1/jobs/" + id);
    assertEquals(200, answer.status(), answer::toString);
    return answer.json();
  }

  /** Polls the job until it is no longer running; fails with its last view after {@code within}. */
  static JsonNode awaitFinished(TestGateway gateway, String id, Duration within) throws Exception {
    return Await.atMost(within, "the end of job " + id)
        .until(() -> view(gateway, id), job -> !job.path("state").asText().equals("running"));
  }

  /** The JSON error of the contract: status, code, and the field it names (null: none). */
  static void assertError(HttpResult answer, int status, String code, String field) {
    assertEquals(status, answer.status(), answer::toString);
    assertEquals("application/json", answer.header("Content-Type").orElse(null), answer::toString);
    JsonNode error = answer.json().path("error");
    assertEquals(code, error.path("code").asText(), answer::toString);
    assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(),
        answer::toString);
    assertEquals(field, error.path("field").textValue(), answer::toString);
  }

  static String abbreviated(JsonNode json) {
    String text = json.toString();
    return text.length() > 600 ? text.substring(0, 600) + "..." : text;
  }
}
