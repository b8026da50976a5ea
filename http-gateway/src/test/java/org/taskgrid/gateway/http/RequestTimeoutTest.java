package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * Akka HTTP's own {@code request-timeout}, the backstop behind the task timeouts, answers the JSON
 * 504 of the contract rather than Akka's plain-text 503.
 */
class RequestTimeoutTest {
  @RegisterExtension
  static final TestGateway gateway = TestGateway.withConfig("akka.http.server.request-timeout = 1s");

  @Test
  void aRequestOverAkkasTimeoutIsAnsweredJson504() throws Exception {
    long start = System.nanoTime();
    HttpResult answer = gateway.post("/v1/tasks/sleep?timeout=5s", "{\"millis\":3000}");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(504, answer.status(), answer::toString);
    assertEquals("application/json", answer.header("Content-Type").orElseThrow(), answer::toString);
    assertEquals("timeout", answer.json().path("error").path("code").asText(), answer::toString);
    assertTrue(answer.json().path("error").path("message").isTextual(), answer::toString);
    // Akka's timeout, not the task's (5 s) nor the sleep's end (3 s).
    assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, () -> "answered after " + took);
  }
}
