package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.PrometheusText;
import org.taskgrid.gateway.TestGateway;

/**
 * Who may scrape: with API tokens, {@code /metrics} stays open unless
 * {@code taskgrid.metrics.require-token} is on. And admission control's refusals are counted.
 */
class MetricsAccessTest {
  private static final String TOKEN = "scrape-secret";

  @RegisterExtension
  static final TestGateway open =
      TestGateway.withConfig(
          """
          taskgrid.gateway.api-tokens = "%s"
          taskgrid.admission.async { max-in-flight = 1, max-queued = 0 }
          """
              .formatted(TOKEN));

  @RegisterExtension
  static final TestGateway guarded =
      TestGateway.withConfig(
          """
          taskgrid.gateway.api-tokens = "%s"
          taskgrid.metrics.require-token = on
          """
              .formatted(TOKEN));

  @Test
  void openByDefaultEvenWithTokens() throws Exception {
    assertEquals(200, open.get("/metrics").status());
    assertEquals(401, open.get("/v1/tasks").status());
  }

  @Test
  void requireTokenAsksForABearerToken() throws Exception {
    HttpResult refused = guarded.get("/metrics");
    assertEquals(401, refused.status(), refused::toString);
    assertEquals("unauthorized", refused.json().path("error").path("code").asText());
    HttpResult wrong = guarded.send(guarded.request("/metrics").header("Authorization", "Bearer nope").GET());
    assertEquals(401, wrong.status(), wrong::toString);
    HttpResult scrape =
        guarded.send(guarded.request("/metrics").header("Authorization", "Bearer " + TOKEN).GET());
    assertEquals(200, scrape.status(), scrape::toString);
    PrometheusText.parse(scrape.text());
  }

  @Test
  void refusalsOfAdmissionAreCountedByReason() throws Exception {
    CompletableFuture<HttpResponse<String>> holder =
        open.client()
            .sendAsync(
                open.request("/v1/tasks/sleep?mode=async")
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"millis\":3000}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    awaitGauge("taskgrid_admission_in_flight", Map.of("mode", "async"), 1, Duration.ofSeconds(10));
    HttpResult refused =
        open.send(
            open.request("/v1/tasks/echo")
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(503, refused.status(), refused::toString);
    PrometheusText scrape = PrometheusText.parse(open.get("/metrics").text());
    assertTrue(
        scrape.sum("taskgrid_admission_refused_total", Map.of("reason", "queue_full", "mode", "async")) >= 1);
    assertEquals(200, holder.get(20, TimeUnit.SECONDS).statusCode());
  }

  private static void awaitGauge(String name, Map<String, String> labels, double value, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    double last = Double.NaN;
    while (System.nanoTime() < deadline) {
      last = PrometheusText.parse(open.get("/metrics").text()).sum(name, labels);
      if (last == value) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(name + labels + " was not " + value + " within " + within + ", last " + last);
  }
}
