package org.taskgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.task.Mode;

/**
 * A worker node's own {@code GET /metrics}: after the worker ran real parts, its scrape is valid
 * Prometheus text in which its executor's counters have moved, beside its lanes and the JVM's
 * meters. Anything else on the port is a JSON error.
 */
class MetricsServerTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          NodeConfig.SYSTEM_NAME,
          NodeConfig.load(
              Map.of(),
              ConfigFactory.parseString(
                  """
                  akka.remote.artery.canonical.hostname = "127.0.0.1"
                  akka.remote.artery.canonical.port = 0
                  akka.cluster.roles = [worker]
                  # The worker's own config ends the JVM with the node: not the test's JVM.
                  akka.coordinated-shutdown.exit-jvm = off
                  """)));
  private static final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static MetricsServer server;
  private static ActorRef<Executor.Command> executor;

  @BeforeAll
  static void startAWorkerWithItsMetricsPort() throws Exception {
    server = MetricsServer.start(testKit.system(), new InetSocketAddress("127.0.0.1", 0));
    Worker.init(testKit.system(), WorkerSettings.fromConfig(testKit.system().settings().config()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    testKit.system().receptionist().tell(Receptionist.subscribe(Executor.SERVICE_KEY, listings.ref()));
    List<Receptionist.Listing> seen =
        listings.fishForMessage(
            WITHIN,
            listing ->
                listing.getServiceInstances(Executor.SERVICE_KEY).isEmpty()
                    ? FishingOutcomes.continueAndIgnore()
                    : FishingOutcomes.complete());
    executor = seen.get(seen.size() - 1).getServiceInstances(Executor.SERVICE_KEY).iterator().next();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop();
    }
    testKit.shutdownTestKit();
  }

  @Test
  void theCountersOfTheWorkItRanMove() throws Exception {
    PrometheusText before = PrometheusText.parse(scrape().body());
    TestProbe<PartProtocol.PartOutcome> answers = testKit.createTestProbe();
    for (int i = 0; i < 3; i++) {
      executor.tell(
          new PartProtocol.RunPart(
              "part-" + i, "echo", JsonNodeFactory.instance.numberNode(i), Mode.THREAD, 10_000, 1,
              answers.ref()));
      assertInstanceOf(PartProtocol.PartSucceeded.class, answers.receiveMessage(WITHIN));
    }
    HttpResponse<String> after = scrape();
    assertEquals(200, after.statusCode());
    assertTrue(
        after.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
    PrometheusText scrape = PrometheusText.parse(after.body());

    Map<String, String> blocking = Map.of("lane", "blocking");
    double finished = scrape.sum("taskgrid_executor_finished_total", blocking);
    assertTrue(
        finished - before.sum("taskgrid_executor_finished_total", blocking) >= 3,
        "finished went from " + before.sum("taskgrid_executor_finished_total", blocking) + " to " + finished);
    int slots = testKit.system().settings().config().getInt("taskgrid.executor.blocking-slots");
    assertEquals(slots, scrape.sum("taskgrid_executor_slots", blocking));
    assertEquals(0, scrape.sum("taskgrid_executor_running", blocking), "nothing runs any more");
    for (String name :
        List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage", "jvm_gc_live_data_size_bytes")) {
      assertTrue(scrape.has(name), name);
    }
  }

  @Test
  void anythingButGetMetricsIsAJsonError() throws Exception {
    HttpResponse<String> elsewhere = send(HttpRequest.newBuilder(uri("/v1/tasks")).GET());
    assertEquals(404, elsewhere.statusCode());
    assertTrue(elsewhere.body().contains("\"code\":\"not_found\""), elsewhere.body());
    HttpResponse<String> post =
        send(HttpRequest.newBuilder(uri("/metrics")).POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElseThrow());
    assertTrue(post.body().contains("\"code\":\"method_not_allowed\""), post.body());
  }

  private static HttpResponse<String> scrape() throws Exception {
    return send(HttpRequest.newBuilder(uri("/metrics")).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(WITHIN).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
  }
}
