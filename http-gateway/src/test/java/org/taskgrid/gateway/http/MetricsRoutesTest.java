package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.PrometheusText;
import org.taskgrid.gateway.TestGateway;

/**
 * {@code GET /metrics} after real calls: the scrape is valid Prometheus text, and the meters of
 * the calls, parts, jobs, admission, executor lanes, router and JVM are there and have moved.
 */
class MetricsRoutesTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  private static final String REQUESTS = "taskgrid_http_requests_seconds_count";
  private static final String PARTS = "taskgrid_parts_seconds_count";

  @Test
  void theScrapeIsPrometheusTextOpenLikeHealth() throws Exception {
    HttpResult scrape = gateway.get("/metrics");
    assertEquals(200, scrape.status(), scrape::toString);
    assertTrue(
        scrape.header("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"),
        scrape::toString);
    PrometheusText.parse(scrape.text());
  }

  @Test
  void requestsAreCountedByRouteTemplateMethodAndStatus() throws Exception {
    PrometheusText before = scrape();
    assertEquals(200, gateway.post("/v1/tasks/echo", "{\"n\":1}").status());
    assertEquals(200, gateway.post("/v1/tasks/echo?mode=thread", "{\"n\":2}").status());
    assertEquals(404, gateway.post("/v1/tasks/no-such-task", "{}").status());
    String jobId = UUID.randomUUID().toString();
    assertEquals(404, gateway.get("/v1/jobs/" + jobId).status());
    assertEquals(404, gateway.get("/no/such/" + jobId).status());
    assertEquals(200, gateway.get("/dashboard/dashboard.js").status());
    PrometheusText after = scrape();

    assertMoved(before, after, REQUESTS, Map.of("route", "/v1/tasks/{name}", "method", "POST", "status", "200"), 2);
    assertMoved(before, after, REQUESTS, Map.of("route", "/v1/tasks/{name}", "method", "POST", "status", "404"), 1);
    assertMoved(before, after, REQUESTS, Map.of("route", "/v1/jobs/{id}", "method", "GET", "status", "404"), 1);
    assertMoved(before, after, REQUESTS, Map.of("route", RouteTemplates.UNMATCHED, "status", "404"), 1);
    assertMoved(before, after, REQUESTS, Map.of("route", "/dashboard/dashboard.js", "status", "200"), 1);
    assertTrue(
        after.samples().stream().noneMatch(sample -> sample.labels().toString().contains(jobId)),
        "no raw path in a label");
    assertTrue(after.has("taskgrid_http_requests_seconds_sum"));
    assertTrue(after.has("taskgrid_http_requests_seconds_max"));
  }

  @Test
  void partsAndJobsAreCountedByOutcome() throws Exception {
    PrometheusText before = scrape();
    assertEquals(200, gateway.post("/v1/tasks/echo?mode=thread", "{\"n\":1}").status());
    String id = JobCalls.start(gateway, "{\"task\":\"echo\",\"inputs\":[{\"a\":1},{\"b\":2},{\"c\":3}]}");
    assertEquals("succeeded", JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(10)).path("state").asText());
    HttpResult failed = gateway.post("/v1/tasks/sleep?mode=async&timeout=50ms", "{\"millis\":5000}");
    assertEquals(504, failed.status(), failed::toString);
    PrometheusText after = scrape();

    assertMoved(before, after, PARTS, Map.of("task", "echo", "mode", "thread", "outcome", "succeeded"), 1);
    assertMoved(before, after, PARTS, Map.of("task", "echo", "mode", "async", "outcome", "succeeded"), 3);
    assertMoved(before, after, PARTS, Map.of("task", "sleep", "mode", "async", "outcome", "timeout"), 1);
    assertMoved(before, after, "taskgrid_jobs_finished_total", Map.of("state", "succeeded"), 1);
    assertEquals(0, after.sum("taskgrid_jobs_running", Map.of()), "no job runs any more");
  }

  @Test
  void gaugesOfAdmissionExecutorAndRouterAreThere() throws Exception {
    PrometheusText scrape = scrape();
    for (String mode : new String[] {"async", "thread", "process"}) {
      assertEquals(1, scrape.find("taskgrid_admission_in_flight", Map.of("mode", mode)).size(), mode);
      assertEquals(1, scrape.find("taskgrid_admission_queued", Map.of("mode", mode)).size(), mode);
    }
    int blockingSlots = gateway.system().settings().config().getInt("taskgrid.executor.blocking-slots");
    assertEquals(blockingSlots, scrape.sum("taskgrid_executor_slots", Map.of("lane", "blocking")));
    for (String lane : new String[] {"blocking", "cpu", "async"}) {
      assertEquals(1, scrape.find("taskgrid_executor_running", Map.of("lane", lane)).size(), lane);
      assertEquals(1, scrape.find("taskgrid_executor_queued", Map.of("lane", lane)).size(), lane);
    }
    // The gateway is its own worker: its executor takes process work.
    assertEquals(1, scrape.sum("taskgrid_router_executors", Map.of("state", "active")));
    assertEquals(0, scrape.sum("taskgrid_router_executors", Map.of("state", "unreachable")));
    assertTrue(scrape.has("taskgrid_router_retries_total"));
    assertTrue(scrape.has("taskgrid_router_worker_lost_total"));
  }

  @Test
  void jvmMetersAreThere() throws Exception {
    PrometheusText scrape = scrape();
    for (String name :
        new String[] {
          "jvm_memory_used_bytes", "jvm_memory_max_bytes", "jvm_gc_live_data_size_bytes",
          "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
          "system_cpu_count", "process_uptime_seconds"
        }) {
      assertTrue(scrape.has(name), name);
    }
    assertTrue(scrape.sum("jvm_memory_used_bytes", Map.of("area", "heap")) > 0);
  }

  private static PrometheusText scrape() throws Exception {
    HttpResult scrape = gateway.get("/metrics");
    assertEquals(200, scrape.status(), scrape::toString);
    return PrometheusText.parse(scrape.text());
  }

  private static void assertMoved(
      PrometheusText before, PrometheusText after, String name, Map<String, String> labels, double by) {
    double moved = after.sum(name, labels) - before.sum(name, labels);
    assertTrue(moved >= by, name + labels + " moved by " + moved + ", expected at least " + by);
  }
}
