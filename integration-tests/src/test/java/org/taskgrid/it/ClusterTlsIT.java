package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between real JVMs, with certificates made by {@code bin/taskgrid tls} as an operator
 * would: a gateway and a worker with certificates of one CA form a cluster and run process work;
 * a worker with no certificate, and one with a certificate of another CA, never become members,
 * never appear in {@code GET /v1/cluster}, never run a part, and give up joining (exit 1).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTlsIT {
  private static final String ECHO = "/v1/tasks/echo?mode=process";
  /** Long enough for an untrusted worker to try many times, short enough for the test. */
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(25);
  /**
   * Longer than ProcessCluster's: on a loaded machine the first TLS handshake of a JVM (its SSL
   * context, its first TLS code run) may outlast Artery's 20 s handshake timeout, and join late.
   */
  private static final Duration START_TIMEOUT = ProcessCluster.START_TIMEOUT.multipliedBy(2);

  @TempDir static Path tls;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static GatewayClient client;
  private static String gatewayAddress;
  private static String workerAddress;
  private static NodeProcess worker;

  @BeforeAll
  static void startAGatewayAndAWorkerOfOneCa() throws Exception {
    Path clusterCa = tls.resolve("cluster-ca");
    issue(clusterCa, "gateway");
    issue(clusterCa, "worker");
    issue(tls.resolve("other-ca"), "foreign");

    int httpPort = FreePort.next();
    int clusterPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gatewayAddress = "akka://taskgrid@127.0.0.1:" + clusterPort;
    Map<String, String> gatewayEnv = new HashMap<>(tlsEnv("gateway"));
    gatewayEnv.putAll(
        Map.of(
            "TASKGRID_ROLES", "gateway",
            "TASKGRID_HTTP_HOST", "127.0.0.1",
            "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
            "TASKGRID_CLUSTER_HOST", "127.0.0.1",
            "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort)));
    NodeProcess gateway =
        start("ClusterTlsIT-gateway", Artifacts.gatewayJar(), ProcessCluster.CLUSTER_OPTIONS, gatewayEnv);

    int workerPort = FreePort.next();
    workerAddress = "akka://taskgrid@127.0.0.1:" + workerPort;
    worker = startWorker("ClusterTlsIT-worker", workerPort, tlsEnv("worker"));
    gateway.awaitReady(client, START_TIMEOUT);
  }

  @AfterAll
  static void stopAll() throws InterruptedException {
    NodeProcess.closeAll(nodes);
  }

  @Test
  @Order(1)
  void aGatewayAndAWorkerWithCertificatesOfOneCaRunProcessWorkOverTls() throws Exception {
    worker.awaitLog("Worker " + workerAddress + " is Up; its executor takes work", START_TIMEOUT);
    GatewayClient.Reply reply = client.post("/v1/tasks/primes", "{\"from\":0,\"to\":1000}");
    assertEquals(200, reply.status(), reply + tails());
    assertEquals(168, reply.json().path("result").asInt(), reply::toString);
    assertEquals(workerAddress, reply.json().path("node").asText(), reply::toString);
    // Really over TLS: Akka names the transport it started.
    for (NodeProcess node : nodes) {
      assertTrue(node.log().contains("Artery tls-tcp"), node + " did not start Artery over TLS" + node.tail());
    }
  }

  @Test
  @Order(2)
  void aWorkerWithoutACertificateOrWithOneOfAnotherCaNeverBecomesAMemberNorRunsAPart() throws Exception {
    int plainPort = FreePort.next();
    int foreignPort = FreePort.next();
    Set<String> outsiders =
        Set.of("akka://taskgrid@127.0.0.1:" + plainPort, "akka://taskgrid@127.0.0.1:" + foreignPort);
    // On loopback with no certificate a worker talks plain TCP, as `bin/taskgrid worker` would.
    NodeProcess plain = startWorker("ClusterTlsIT-plain-worker", plainPort, Map.of());
    NodeProcess foreign = startWorker("ClusterTlsIT-foreign-worker", foreignPort, tlsEnv("foreign"));
    Set<String> insiders = Set.of(gatewayAddress, workerAddress);

    // Until both give up: every view shows only the two trusted nodes, every part runs on the
    // trusted worker.
    long deadline = System.nanoTime() + JOIN_TIMEOUT.plus(START_TIMEOUT).toNanos();
    int views = 0;
    while ((plain.isAlive() || foreign.isAlive()) && System.nanoTime() < deadline) {
      JsonNode view = client.get("/v1/cluster", Duration.ofSeconds(5)).json();
      Set<String> members = ProcessCluster.members(view).keySet();
      assertTrue(insiders.containsAll(members), "an untrusted node is listed: " + view + tails());
      assertTrue(
          Set.of(workerAddress).containsAll(ProcessCluster.executors(view).keySet()),
          "an untrusted node's executor is listed: " + view + tails());
      GatewayClient.Reply reply = client.post(ECHO, "{\"n\":" + views + "}");
      assertEquals(200, reply.status(), reply + tails());
      assertEquals(workerAddress, reply.json().path("node").asText(), reply::toString);
      views++;
      Thread.sleep(250);
    }
    for (NodeProcess outsider : List.of(plain, foreign)) {
      assertEquals(1, outsider.awaitExit(Duration.ofSeconds(30)), outsider + " did not give up" + outsider.tail());
      assertTrue(outsider.log().contains("could not join the cluster"), outsider.tail());
      assertTrue(!outsider.log().contains("is Up; its executor takes work"), outsider + " was Up" + outsider.tail());
    }
    JsonNode view = client.get("/v1/cluster").json();
    assertEquals(insiders, ProcessCluster.members(view).keySet(), view::toString);
    assertTrue(views >= 5, "only " + views + " views while the outsiders tried to join");
    assertTrue(outsiders.stream().noneMatch(view.toString()::contains), view::toString);
  }

  /** Issues node certificate {@code name} signed by the CA in {@code caDir}, made if missing. */
  private static void issue(Path caDir, String name) throws Exception {
    String javaBin = Path.of(Artifacts.java()).getParent().toString();
    try (NodeProcess script =
        NodeProcess.start(
            "ClusterTlsIT-tls-" + name,
            List.of("bash", "bin/taskgrid", "tls", "node", "127.0.0.1", tls.resolve(name).toString()),
            Map.of(
                "PATH", javaBin + File.pathSeparator + System.getenv("PATH"),
                "TASKGRID_TLS_CA_DIR", caDir.toString()))) {
      assertEquals(0, script.awaitExit(Duration.ofSeconds(180)), script.tail());
    }
  }

  /** What bin/taskgrid hands a node's JVM for the stores in folder {@code name}. */
  private static Map<String, String> tlsEnv(String name) throws IOException {
    Path dir = tls.resolve(name);
    return Map.of(
        "TASKGRID_CLUSTER_TLS", "on",
        "TASKGRID_TLS_KEYSTORE", dir.resolve("node.p12").toString(),
        "TASKGRID_TLS_TRUSTSTORE", dir.resolve("truststore.p12").toString(),
        "TASKGRID_TLS_KEYSTORE_PASSWORD",
        Files.readString(dir.resolve("password"), StandardCharsets.UTF_8).trim());
  }

  private static NodeProcess startWorker(String name, int port, Map<String, String> tlsEnv) {
    List<String> options = new ArrayList<>(ProcessCluster.CLUSTER_OPTIONS);
    options.add("-Dtaskgrid.worker.join-timeout=" + JOIN_TIMEOUT.toSeconds() + "s");
    Map<String, String> env = new HashMap<>(tlsEnv);
    env.put("TASKGRID_CLUSTER_HOST", "127.0.0.1");
    env.put("TASKGRID_CLUSTER_PORT", Integer.toString(port));
    env.put("TASKGRID_METRICS_PORT", "0");
    return start(name, Artifacts.workerJar(), options, env, "--seed", gatewayAddress.substring("akka://taskgrid@".length()));
  }

  private static NodeProcess start(
      String name, Path jar, List<String> options, Map<String, String> env, String... args) {
    NodeProcess node = NodeProcess.start(name, NodeProcess.javaJar(jar, options, args), env);
    nodes.add(node);
    return node;
  }

  private static String tails() {
    StringBuilder tails = new StringBuilder();
    nodes.forEach(node -> tails.append(node.tail()));
    return tails.toString();
  }
}
