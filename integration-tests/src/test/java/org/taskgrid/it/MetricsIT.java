package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The packaged jars serve their metrics: a gateway with the gateway role only on its HTTP port, a
 * worker on a metrics port of its own (TASKGRID_METRICS_PORT). After a process call, each scrape
 * shows its side of the call: the gateway its part and the executor it saw, the worker its work.
 */
class MetricsIT {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4";

  @Test
  void aGatewayAndAWorkerEachServeTheirOwnMetrics() throws Exception {
    int httpPort = FreePort.next();
    int clusterPort = FreePort.next();
    int workerClusterPort = FreePort.next();
    int workerMetricsPort = FreePort.next();
    try (NodeProcess gateway =
            NodeProcess.start(
                "metrics-gateway",
                NodeProcess.javaJar(Artifacts.gatewayJar(), List.of()),
                Map.of(
                    "TASKGRID_ROLES", "gateway",
                    "TASKGRID_HTTP_HOST", "127.0.0.1",
                    "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                    "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                    "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort)));
        NodeProcess worker =
            NodeProcess.start(
                "metrics-worker",
                NodeProcess.javaJar(Artifacts.workerJar(), List.of(), "--seed", "127.0.0.1:" + clusterPort),
                Map.of(
                    "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                    "TASKGRID_CLUSTER_PORT", Integer.toString(workerClusterPort),
                    "TASKGRID_METRICS_PORT", Integer.toString(workerMetricsPort)))) {
      GatewayClient client = new GatewayClient(httpPort);
      // Ready: the gateway runs no process work itself, so an active executor is the worker's.
      gateway.awaitReady(client, START_TIMEOUT);
      worker.awaitLog("taskgrid-worker metrics: http://127.0.0.1:" + workerMetricsPort + "/metrics", START_TIMEOUT);

      GatewayClient.Reply call = client.post("/v1/tasks/primes", "{\"from\":0,\"to\":100000}");
      assertEquals(200, call.status(), call::toString);
      assertEquals("akka://taskgrid@127.0.0.1:" + workerClusterPort, call.json().path("node").asText());

      String gatewayScrape = scrape(client);
      assertTrue(
          value(gatewayScrape, "taskgrid_parts_seconds_count{mode=\"process\",outcome=\"succeeded\",task=\"primes\"}")
                  .orElse(0) >= 1,
          gatewayScrape);
      assertEquals(
          1, value(gatewayScrape, "taskgrid_router_executors{state=\"active\"}").orElse(0), gatewayScrape);
      assertTrue(value(gatewayScrape, "jvm_threads_live_threads").orElse(0) > 0, gatewayScrape);

      String workerScrape = scrape(new GatewayClient(workerMetricsPort));
      assertTrue(value(workerScrape, "taskgrid_executor_finished_total{lane=\"cpu\"}").orElse(0) >= 1, workerScrape);
      assertTrue(value(workerScrape, "taskgrid_executor_slots{lane=\"cpu\"}").orElse(0) >= 1, workerScrape);
      assertTrue(value(workerScrape, "jvm_threads_live_threads").orElse(0) > 0, workerScrape);
    }
  }

  private static String scrape(GatewayClient client) throws Exception {
    GatewayClient.Reply scrape = client.get("/metrics");
    assertEquals(200, scrape.status(), scrape::toString);
    assertTrue(scrape.contentType().startsWith(PROMETHEUS_TEXT), scrape::toString);
    return scrape.body();
  }

  /** The value of the sample line that starts with {@code series} and a space, if there is one. */
  private static OptionalDouble value(String scrape, String series) {
    return scrape
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).split(" ")[0]))
        .findFirst();
  }
}
