package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One gateway JVM from the fat jar, a complete system on its own: it is its own worker. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayProcessIT {
  private static int httpPort;
  private static int clusterPort;
  private static GatewayClient client;
  private static NodeProcess gateway;

  @BeforeAll
  static void startGateway() throws InterruptedException {
    httpPort = FreePort.next();
    clusterPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gateway =
        NodeProcess.start(
            "GatewayProcessIT-gateway",
            NodeProcess.javaJar(Artifacts.gatewayJar(), List.of()),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort)));
    gateway.awaitReady(client, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Order(1)
  void primesRunInProcessModeOnTheCpuPool() throws Exception {
    GatewayClient.Reply reply = client.post("/v1/tasks/primes", "{\"from\":0,\"to\":1000000}");
    assertEquals(200, reply.status(), reply::toString);
    assertTrue(reply.contentType().startsWith("application/json"), reply::toString);
    JsonNode answer = reply.json();
    assertEquals("primes", answer.path("task").asText(), reply::toString);
    assertEquals(78498, answer.path("result").asLong(), reply::toString);
    assertEquals("process", answer.path("mode").asText(), reply::toString);
    assertEquals("akka://taskgrid@127.0.0.1:" + clusterPort, answer.path("node").asText(), reply::toString);
    assertTrue(answer.path("thread").asText().contains("taskgrid.dispatchers.cpu"), reply::toString);
    assertEquals(1, answer.path("attempts").asInt(), reply::toString);
    assertTrue(answer.path("millis").isIntegralNumber(), reply::toString);
  }

  @Test
  @Order(2)
  void sleepInThreadModeHoldsABlockingPoolThread() throws Exception {
    GatewayClient.Reply reply = client.post("/v1/tasks/sleep?mode=thread", "{\"millis\":20}");
    assertEquals(200, reply.status(), reply::toString);
    JsonNode answer = reply.json();
    assertEquals("thread", answer.path("mode").asText(), reply::toString);
    assertTrue(answer.path("thread").asText().contains("taskgrid.dispatchers.blocking"), reply::toString);
  }

  @Test
  @Order(3)
  void sleepInAsyncModeHoldsNoThread() throws Exception {
    GatewayClient.Reply reply = client.post("/v1/tasks/sleep?mode=async", "{\"millis\":20}");
    assertEquals(200, reply.status(), reply::toString);
    JsonNode answer = reply.json();
    assertEquals("async", answer.path("mode").asText(), reply::toString);
    assertEquals("none", answer.path("thread").asText(), reply::toString);
  }

  @Test
  @Order(4)
  void badInputIsAJson400AndTheNodeKeepsServing() throws Exception {
    GatewayClient.Reply invalid = client.post("/v1/tasks/primes", "{\"from\":10,\"to\":1}");
    assertEquals(400, invalid.status(), invalid::toString);
    assertTrue(invalid.contentType().startsWith("application/json"), invalid::toString);
    assertEquals("invalid_input", invalid.json().path("error").path("code").asText(), invalid::toString);
    assertEquals("to", invalid.json().path("error").path("field").asText(), invalid::toString);

    GatewayClient.Reply malformed = client.post("/v1/tasks/primes", "{\"from\":");
    assertEquals(400, malformed.status(), malformed::toString);
    assertEquals("malformed_json", malformed.json().path("error").path("code").asText(), malformed::toString);

    assertEquals(200, client.get("/health/ready").status());
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void sigtermStopsTheJvmThroughCoordinatedShutdown() throws Exception {
    int exitCode = gateway.terminate(Duration.ofSeconds(20));
    String log = gateway.log();
    // SIGTERM runs Coordinated Shutdown in full, and the JVM then exits 0 (not 143).
    assertEquals(0, exitCode, "exit code after SIGTERM" + gateway.tail());
    assertTrue(
        log.contains("Running CoordinatedShutdown with reason [SignalReceived[signal=SIGTERM]]"),
        "no Coordinated Shutdown in the log" + gateway.tail());
    assertTrue(log.contains("Exiting completed"), "the node did not leave the cluster" + gateway.tail());
    assertFalse(log.contains(" ERROR "), "an ERROR in the log" + gateway.tail());
    assertFalse(log.contains("Exception in thread"), "an uncaught exception in the log" + gateway.tail());
  }
}
