package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.abbreviated;
import static org.taskgrid.gateway.http.JobCalls.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * Admission control over HTTP, on a gateway that runs two parts at once and lets two waiters
 * queue: the excess is refused at once with 503 overloaded and Retry-After, nothing hangs, and
 * what was admitted finishes. Each test leaves the gateway idle for the next.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionHttpTest {
  private static final int MAX_IN_FLIGHT = 2;
  private static final int MAX_QUEUED = 2;

  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig(
          """
          taskgrid.admission.async { max-in-flight = %1$d, max-queued = %2$d }
          taskgrid.admission.thread { max-in-flight = %1$d, max-queued = %2$d }
          """
              .formatted(MAX_IN_FLIGHT, MAX_QUEUED));

  @Test
  @Order(1)
  void aFloodOfCallsIsServedOrRefusedAtOnceAndNoneHangs() throws Exception {
    int calls = 20 * (MAX_IN_FLIGHT + MAX_QUEUED);
    List<CompletableFuture<HttpResult>> answers = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      answers.add(
          gateway.sendAsync(
              gateway
                  .request("/v1/tasks/sleep?mode=async")
                  .timeout(Duration.ofSeconds(20))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"millis\":500}"))));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    int served = 0;
    int refused = 0;
    for (CompletableFuture<HttpResult> future : answers) {
      HttpResult answer = future.get();
      if (answer.status() == 200) {
        served++;
        assertEquals(500, answer.json().path("result").path("slept").asInt(), answer::toString);
      } else {
        refused++;
        assertOverloaded(answer);
      }
    }
    assertTrue(served >= MAX_IN_FLIGHT, "served: " + served);
    assertTrue(refused >= 1, "refused: " + refused);
    assertEquals(calls, served + refused);

    assertEquals(200, gateway.get("/health/live").status());
    assertIdle("async");
  }

  @Test
  @Order(2)
  void aJobBeyondTheLimitsIsRefusedAndEveryAdmittedJobFinishes() throws Exception {
    // Each job wants more slots than there are: the first takes both and waits for more, the
    // next waits too, until the queue is full.
    String body = JobRoutesTest.sleeps(4, "async", 300);
    List<String> admitted = new ArrayList<>();
    HttpResult refusal = null;
    for (int i = 0; i < 10 && refusal == null; i++) {
      HttpResult answer = gateway.post("/v1/jobs", body);
      if (answer.status() == 202) {
        admitted.add(JobCalls.accepted(answer));
      } else {
        refusal = answer;
      }
    }
    assertTrue(refusal != null, "no job was refused of " + admitted.size());
    assertOverloaded(refusal);
    assertTrue(admitted.size() >= MAX_QUEUED, "admitted: " + admitted.size());

    for (String id : admitted) {
      JsonNode job = JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(20));
      assertEquals("succeeded", job.path("state").asText(), () -> abbreviated(job));
      assertEquals(4, job.path("done").asInt(), () -> abbreviated(job));
    }
    assertEquals(200, gateway.get("/health/live").status());
    assertIdle("async");
  }

  @Test
  @Order(3)
  void cancellingAJobThatWaitsForSlotsGivesEverySlotBack() throws Exception {
    // The job holds both slots and waits for 18 more when it is cancelled.
    String id = JobCalls.start(gateway, JobRoutesTest.sleeps(20, "thread", 1000));
    assertEquals("running", JobCalls.view(gateway, id).path("state").asText());
    HttpResult cancel = gateway.delete("/v1/jobs/" + id);
    assertEquals(202, cancel.status(), cancel::toString);
    JsonNode job = JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(10));
    assertEquals("cancelled", job.path("state").asText(), () -> abbreviated(job));

    assertIdle("thread");
  }

  @Test
  @Order(4)
  void aFloodOfOneKindOfWorkDoesNotQueueAnotherKind() throws Exception {
    // More async sleeps than the async budget holds: some are refused at once, the others hold
    // every async slot and queue place for seconds.
    List<CompletableFuture<HttpResult>> asyncFlood = new ArrayList<>();
    for (int i = 0; i < 5 * (MAX_IN_FLIGHT + MAX_QUEUED); i++) {
      asyncFlood.add(
          gateway.sendAsync(
              gateway
                  .request("/v1/tasks/sleep?mode=async")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"millis\":5000}"))));
    }
    CompletableFuture.anyOf(asyncFlood.toArray(CompletableFuture[]::new)).get(4, TimeUnit.SECONDS);
    assertEquals(
        503,
        asyncFlood.stream().filter(CompletableFuture::isDone).findFirst().orElseThrow().get().status(),
        "the first answer to the flood is a refusal: the async budget is full");

    HttpResult thread = gateway.post("/v1/tasks/sleep?mode=thread&timeout=2s", "{\"millis\":10}");
    assertEquals(200, thread.status(), () -> "thread work waited behind async work: " + thread);

    int served = 0;
    for (CompletableFuture<HttpResult> future : asyncFlood) {
      HttpResult answer = future.get(20, TimeUnit.SECONDS);
      if (answer.status() == 200) {
        served++;
      } else {
        assertOverloaded(answer);
      }
    }
    assertTrue(served >= MAX_IN_FLIGHT, "served: " + served);
    assertIdle("async");
  }

  private static void assertOverloaded(HttpResult answer) {
    assertError(answer, 503, "overloaded", null);
    String retryAfter = answer.header("Retry-After").orElse(null);
    assertTrue(retryAfter != null && retryAfter.matches("\\d+"), answer::toString);
  }

  /**
   * Both slots of the mode's budget are free: two calls of a second each, sent at once, are served side by side within
   * 1.8 s. Were a slot lost, the second would wait for the first and time out.
   */
  private static void assertIdle(String mode) throws Exception {
    List<CompletableFuture<HttpResult>> answers = new ArrayList<>();
    for (int i = 0; i < MAX_IN_FLIGHT; i++) {
      answers.add(
          gateway.sendAsync(
              gateway
                  .request("/v1/tasks/sleep?mode=" + mode + "&timeout=1800ms")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"millis\":1000}"))));
    }
    for (CompletableFuture<HttpResult> future : answers) {
      HttpResult answer = future.get(10, TimeUnit.SECONDS);
      assertEquals(200, answer.status(), () -> "a slot was not given back: " + answer);
    }
  }
}
