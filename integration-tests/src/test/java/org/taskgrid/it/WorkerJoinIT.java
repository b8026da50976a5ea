package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A worker JVM joins a gateway JVM's cluster, refuses to start without one, and leaves on SIGTERM. */
class WorkerJoinIT {
  private static int gatewayClusterPort;
  private static NodeProcess gateway;

  @BeforeAll
  static void startGateway() throws InterruptedException {
    int httpPort = FreePort.next();
    gatewayClusterPort = FreePort.next();
    gateway =
        NodeProcess.start(
            "WorkerJoinIT-gateway",
            NodeProcess.javaJar(Artifacts.gatewayJar(), List.of()),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(gatewayClusterPort)));
    gateway.awaitReady(new GatewayClient(httpPort), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void aWorkerJoinsTheGatewayAndLeavesOnSigterm() throws InterruptedException {
    int workerPort = FreePort.next();
    String workerAddress = "akka://taskgrid@127.0.0.1:" + workerPort;
    try (NodeProcess worker =
        NodeProcess.start(
            "WorkerJoinIT-worker",
            NodeProcess.javaJar(
                Artifacts.workerJar(), List.of(), "--seed", "127.0.0.1:" + gatewayClusterPort),
            Map.of(
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(workerPort)))) {
      worker.awaitLog("Worker " + workerAddress + " is Up; its executor takes work", Duration.ofSeconds(60));
      gateway.awaitLog("Leader is moving node [" + workerAddress + "] to [Up]", Duration.ofSeconds(10));

      int exitCode = worker.terminate(Duration.ofSeconds(20));
      assertEquals(0, exitCode, "the worker's exit code after SIGTERM" + worker.tail());
      assertTrue(
          worker.log().contains("Running CoordinatedShutdown with reason [SignalReceived[signal=SIGTERM]]"),
          "no Coordinated Shutdown in the worker's log" + worker.tail());
      // It left: the gateway saw it go, rather than finding it unreachable.
      gateway.awaitLog("Exiting confirmed [" + workerAddress + "]", Duration.ofSeconds(10));
    }
  }

  @Test
  void aWorkerWithoutSeedsExits2WithAClearMessage() throws InterruptedException {
    try (NodeProcess worker =
        NodeProcess.start(
            "WorkerJoinIT-worker-no-seed", NodeProcess.javaJar(Artifacts.workerJar(), List.of()), Map.of())) {
      assertEquals(2, worker.awaitExit(Duration.ofSeconds(30)), worker.tail());
      assertTrue(
          worker.log().contains("A worker needs a cluster to join: give --seed HOST:PORT"),
          "no clear message" + worker.tail());
    }
  }

  @Test
  void aWorkerThatCannotJoinExits1WithAClearMessage() throws InterruptedException {
    int closedPort = FreePort.next(); // nothing listens there
    try (NodeProcess worker =
        NodeProcess.start(
            "WorkerJoinIT-worker-closed-seed",
            NodeProcess.javaJar(
                Artifacts.workerJar(),
                List.of("-Dtaskgrid.worker.join-timeout=5s"),
                "--seed",
                "127.0.0.1:" + closedPort),
            Map.of("TASKGRID_CLUSTER_HOST", "127.0.0.1"))) {
      assertEquals(1, worker.awaitExit(Duration.ofSeconds(45)), worker.tail());
      assertTrue(
          worker
              .log()
              .contains(
                  "This worker could not join the cluster at [akka://taskgrid@127.0.0.1:"
                      + closedPort
                      + "] within 5 s"),
          "no clear message" + worker.tail());
    }
  }
}
