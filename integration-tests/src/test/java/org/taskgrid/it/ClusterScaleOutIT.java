package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A gateway with the gateway role only, as {@code bin/taskgrid cluster} runs it, that workers join
 * one after the other: it refuses process work until one is there, then spreads the work over
 * them and never runs it itself; a worker that joins late gets work within seconds; inputs as
 * large as the gateway accepts reach a worker, and one too large for a message between nodes is
 * refused before it is sent. One cluster for the whole class: each test builds on the one before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterScaleOutIT {
  private static final String PRIMES = "/v1/tasks/primes";
  private static final String SLEEP = "/v1/tasks/sleep?mode=process";
  private static final String ECHO = "/v1/tasks/echo?mode=process";
  /** taskgrid.gateway.max-body-size by default. */
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private static ProcessCluster cluster;
  private static GatewayClient client;

  @BeforeAll
  static void startGatewayAlone() throws InterruptedException {
    cluster = ProcessCluster.start("ClusterScaleOutIT", List.of());
    client = cluster.client();
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void withoutWorkersAProcessCallIs503NoWorkersAtOnceThenSucceedsOnceAWorkerJoins() throws Exception {
    String input = "{\"from\":0,\"to\":1000}";
    long start = System.nanoTime();
    GatewayClient.Reply refused = client.post(PRIMES, input);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(503, refused.status(), refused::toString);
    assertEquals("no_workers", refused.json().path("error").path("code").asText(), refused::toString);
    // At once: not after waiting for the call's timeout (30 s) or for a worker to come.
    assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "the refusal took " + took);

    ProcessCluster.Worker worker = cluster.startWorker();
    GatewayClient.Reply reply =
        Await.atMost(ProcessCluster.START_TIMEOUT, "a call not refused for want of workers")
            .every(Duration.ofMillis(250))
            .abortIf(
                () -> !worker.process().isAlive(),
                () -> "the worker died before it took work" + worker.process().tail())
            .context(cluster::tails)
            .until(() -> client.post(PRIMES, input), ClusterScaleOutIT::notRefusedForWantOfWorkers);
    assertEquals(200, reply.status(), "the call still fails once a worker runs: " + reply + cluster.tails());
    assertEquals(168, reply.json().path("result").asInt(), reply::toString);
    assertEquals(worker.address(), reply.json().path("node").asText(), reply::toString);
  }

  @Test
  @Order(2)
  void aWorkerStartedLaterReceivesWorkWithinTenSecondsOfBeingUp() throws Exception {
    List<ProcessCluster.Worker> first = cluster.ensureWorkers(1);
    ProcessCluster.Worker late = cluster.startWorker();
    late.process().awaitLog(ProcessCluster.upLine(late), ProcessCluster.START_TIMEOUT);
    long upAt = System.nanoTime();

    // Rounds of calls at once, so that the least loaded executor is not always the first one.
    List<String> rounds = new ArrayList<>();
    Map<String, Long> byNode =
        Await.atMost(Duration.ofSeconds(10), "work on the worker that joined late")
            .every(Duration.ZERO)
            .context(() -> "; rounds by node: " + rounds + cluster.tails())
            .until(() -> aRoundOfSleeps(rounds), answered -> answered.containsKey(late.address()));
    Duration after = Duration.ofNanos(System.nanoTime() - upAt);
    assertTrue(after.compareTo(Duration.ofSeconds(10)) <= 0, "work reached it " + after + " after Up");
    Set<String> workers = Set.of(late.address(), first.get(0).address());
    assertTrue(
        workers.containsAll(byNode.keySet()), "work ran on a node other than the two workers: " + byNode);
  }

  @Test
  @Order(3)
  void processWorkSpreadsOverBothWorkersAndNeverRunsOnTheGateway() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    Set<String> addresses = Set.of(workers.get(0).address(), workers.get(1).address());
    assertFalse(
        ProcessCluster.executors(cluster.view()).containsKey(cluster.gatewayAddress()),
        "a gateway with the gateway role only lists an executor of its own");

    List<GatewayClient.Reply> replies;
    try (ConcurrentCalls calls =
        ConcurrentCalls.post(client, SLEEP, "{\"millis\":1000}", 40, Duration.ofSeconds(60))) {
      replies = calls.await();
    }
    Answers.assertAllSucceeded(replies, "{\"slept\":1000}", cluster.tails());
    Map<String, Long> byNode = Answers.byNode(replies);
    assertFalse(byNode.containsKey(cluster.gatewayAddress()), "work ran on the gateway: " + byNode);
    assertEquals(addresses, byNode.keySet(), "the 40 calls did not land on both workers: " + byNode);
  }

  @Test
  @Order(4)
  void anInputAtTheBodyLimitReachesARemoteWorkerWhole() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    // A JSON string of exactly max-body-size bytes, with characters of 1, 2 and 3 bytes in UTF-8.
    String text = textOfUtf8Bytes(MAX_BODY_BYTES - 2);
    String body = "\"" + text + "\"";
    assertEquals(MAX_BODY_BYTES, body.getBytes(StandardCharsets.UTF_8).length);

    GatewayClient.Reply reply = client.post(ECHO + "&timeout=20s", body);
    assertEquals(200, reply.status(), reply + cluster.tails());
    JsonNode answer = reply.json();
    assertEquals(text, answer.path("result").asText(), "the echo came back changed");
    assertEquals("process", answer.path("mode").asText());
    assertTrue(
        workers.stream().anyMatch(worker -> worker.address().equals(answer.path("node").asText())),
        "not run on a worker: " + answer.path("node"));

    // It was the limit: one byte more is refused.
    GatewayClient.Reply tooLarge = client.post(ECHO, "\"" + text + "x\"");
    assertEquals(413, tooLarge.status(), tooLarge::toString);
    assertEquals("too_large", tooLarge.json().path("error").path("code").asText(), tooLarge::toString);
  }

  @Test
  @Order(5)
  void aPrimesJobOf64PartsOverTwoWorkersSucceeds() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    Map<String, Long> before = ProcessCluster.completed(cluster.view());

    GatewayClient.Reply created =
        client.post("/v1/jobs", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":5000000},\"parts\":64}");
    assertEquals(202, created.status(), created::toString);
    String status = created.json().path("status").asText();
    assertEquals(status, created.header("Location").orElse(null), created::toString);
    JsonNode job = Jobs.awaitFinished(client, status, Duration.ofSeconds(90));

    assertEquals("succeeded", job.path("state").asText(), job::toString);
    assertEquals(348513, job.path("result").asLong(), job::toString);
    assertEquals(64, job.path("parts").asInt(), job::toString);
    assertEquals(64, job.path("done").asInt(), job::toString);
    assertEquals(0, job.path("failed").asInt(), job::toString);
    Map<String, Long> after = ProcessCluster.completed(cluster.view());
    for (ProcessCluster.Worker worker : workers) {
      assertTrue(
          after.get(worker.address()) > before.get(worker.address()),
          "no part ran on " + worker.address() + ": completed before " + before + ", after " + after);
    }
  }

  /**
   * Artery's frame is 2 MiB; a JSON body under the default 1 MiB cannot make a larger message
   * (numbers are kept exact, so their CBOR is no larger than their JSON). So a second gateway that
   * takes bodies of 4 MiB joins the cluster: an input whose CBOR would not fit a frame is refused
   * with 413 before it is sent, one that just fits reaches a worker, and everything keeps serving.
   */
  @Test
  @Order(6)
  void anInputTooLargeForAMessageBetweenNodesIs413AndTheClusterKeepsServing() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    int httpPort = FreePort.next();
    List<String> options = new ArrayList<>(ProcessCluster.CLUSTER_OPTIONS);
    options.add("-Dtaskgrid.gateway.max-body-size=4MiB");
    GatewayClient large = new GatewayClient(httpPort);
    try (NodeProcess gateway =
        NodeProcess.start(
            "ClusterScaleOutIT-gateway-4MiB",
            NodeProcess.javaJar(Artifacts.gatewayJar(), options),
            Map.of(
                "TASKGRID_ROLES", "gateway",
                "TASKGRID_SEED_NODES", "127.0.0.1:" + cluster.clusterPort(),
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next())))) {
      // Ready means Up in a cluster where some executor takes work: it joined the workers' cluster.
      gateway.awaitReady(large, ProcessCluster.START_TIMEOUT);
      Map<String, Long> before = ProcessCluster.completed(large.get("/v1/cluster").json());

      String tooLarge = "\"" + "x".repeat(2_500_000) + "\"";
      long start = System.nanoTime();
      GatewayClient.Reply refused = large.post(ECHO, tooLarge);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertEquals(413, refused.status(), refused + gateway.tail());
      JsonNode error = refused.json().path("error");
      assertEquals("too_large", error.path("code").asText(), refused::toString);
      assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "the refusal took " + took);
      // Refused before it was sent: no part reached any executor.
      assertEquals(before, ProcessCluster.completed(large.get("/v1/cluster").json()), "a part ran");

      // The largest input that passes reaches a worker: the room left for the rest of the
      // message is enough (Artery would drop a larger frame silently, and the call time out).
      Matcher limit = Pattern.compile("more than the (\\d+) ").matcher(error.path("message").asText());
      assertTrue(limit.find(), "the message does not say the limit: " + refused);
      int maxCborBytes = Integer.parseInt(limit.group(1));
      String largest = "y".repeat(longestTextOfCborBytes(maxCborBytes));
      GatewayClient.Reply fits = large.post(ECHO + "&timeout=20s", "\"" + largest + "\"");
      assertEquals(200, fits.status(), fits + gateway.tail() + cluster.tails());
      assertEquals(largest, fits.json().path("result").asText(), "the echo came back changed");
      GatewayClient.Reply justOver = large.post(ECHO, "\"" + largest + "y\"");
      assertEquals(413, justOver.status(), justOver::toString);

      // Both gateways and both workers keep serving.
      for (GatewayClient gatewayClient : List.of(large, client)) {
        GatewayClient.Reply small = gatewayClient.post(ECHO, "{\"still\":\"serving\"}");
        assertEquals(200, small.status(), small::toString);
        assertEquals("{\"still\":\"serving\"}", small.json().path("result").toString(), small::toString);
      }
      for (ProcessCluster.Worker worker : workers) {
        assertTrue(worker.process().isAlive(), worker + " died" + worker.process().tail());
      }
      assertEquals(
          Set.of(workers.get(0).address(), workers.get(1).address()),
          ProcessCluster.activeExecutors(cluster.view()));
    }
  }

  /** Eight sleeps at once, which must all succeed; how many each node answered, noted in rounds. */
  private static Map<String, Long> aRoundOfSleeps(List<String> rounds) throws InterruptedException {
    try (ConcurrentCalls calls =
        ConcurrentCalls.post(client, SLEEP, "{\"millis\":200}", 8, Duration.ofSeconds(10))) {
      List<GatewayClient.Reply> replies = calls.await();
      Answers.assertAllSucceeded(replies, "{\"slept\":200}", cluster.tails());
      Map<String, Long> byNode = Answers.byNode(replies);
      rounds.add(byNode.toString());
      return byNode;
    }
  }

  /** Whether the call got past the gateway; a refusal must say that no worker runs. */
  private static boolean notRefusedForWantOfWorkers(GatewayClient.Reply reply) {
    if (reply.status() != 503) {
      return true;
    }
    assertEquals("no_workers", reply.json().path("error").path("code").asText(), reply::toString);
    return false;
  }

  /** A text of exactly {@code bytes} bytes in UTF-8, mixing 1-, 2- and 3-byte characters. */
  private static String textOfUtf8Bytes(int bytes) {
    String unit = "taskgrid h\u00e9llo \u2713 "; // 14 ASCII, é (2 bytes), ✓ (3 bytes)
    int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
    StringBuilder text = new StringBuilder(unit.repeat(bytes / unitBytes));
    text.append("x".repeat(bytes - (bytes / unitBytes) * unitBytes));
    return text.toString();
  }

  /**
   * The length of the longest ASCII text whose CBOR takes at most {@code maxBytes}, as the gateway
   * counts it (Jackson writes a long text in chunks, each with a header of its own).
   */
  private static int longestTextOfCborBytes(int maxBytes) throws IOException {
    CBORMapper cbor = new CBORMapper();
    int low = 0; // fits
    int high = maxBytes; // does not fit: the text alone takes as many bytes
    while (high - low > 1) {
      int middle = (low + high) >>> 1;
      if (cbor.writeValueAsBytes(TextNode.valueOf("y".repeat(middle))).length <= maxBytes) {
        low = middle;
      } else {
        high = middle;
      }
    }
    return low;
  }
}
