package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who the cluster downs when a node dies or freezes, with two gateways that seed each other and a
 * worker seeded by both (as {@code bin/taskgrid cluster --gateways 2} runs them): SIGKILL of
 * either gateway leaves the other and the worker up, and the dead one is removed from the
 * membership; a worker frozen by SIGSTOP and continued gets no gateway downed. With Akka's
 * keep-majority on the gateway role, the first case downed the survivor whenever the dead gateway
 * had the lowest address; with any of its strategies, the last could down a gateway as
 * "indirectly connected".
 */
class GatewayDowningIT {
  /** Bounds a wait for the cluster to notice a death, down and remove the member. */
  private static final Duration REMOVED_WITHIN = Duration.ofSeconds(60);
  private static final String SLEEP = "/v1/tasks/sleep?mode=process";

  private final List<NodeProcess> processes = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    NodeProcess.closeAll(processes);
  }

  /** A gateway: its HTTP client, its cluster address and its JVM. */
  private record Gateway(GatewayClient client, String address, NodeProcess process) {}

  @Test
  void sigkillOfTheGatewayWithTheLowestAddressLeavesTheOtherAndTheWorkerUp() throws Exception {
    killOneGatewayOfTwo("lowest", 0);
  }

  @Test
  void sigkillOfTheGatewayWithTheHighestAddressLeavesTheOtherAndTheWorkerUp() throws Exception {
    killOneGatewayOfTwo("highest", 1);
  }

  @Test
  void aWorkerFrozenAndContinuedGetsNoGatewayDowned() throws Exception {
    List<Gateway> gateways = startGateways("frozen");
    NodeProcess worker = startWorker("frozen", gateways);
    awaitAllUp(gateways, 3);
    for (Gateway gateway : gateways) {
      awaitProcessCall(gateway, Duration.ofSeconds(60));
    }
    // Briefly: continued before it can be downed, it finds both gateways unreachable for a
    // moment while they find it unreachable (what Akka's resolver calls indirectly connected).
    // Then long enough to be downed while frozen: continued, it learns so and exits.
    for (Duration frozenFor : List.of(Duration.ofSeconds(4), Duration.ofSeconds(7), Duration.ofSeconds(15))) {
      worker.signal("STOP");
      Thread.sleep(frozenFor.toMillis());
      worker.signal("CONT");
      // Long enough for any downing decision that the freeze could cause to have been taken.
      Thread.sleep(12_000);
      for (Gateway gateway : gateways) {
        assertTrue(
            gateway.process().isAlive(),
            "a gateway exited after a worker was frozen for " + frozenFor + gateway.process().tail()
                + worker.tail());
        assertEquals(200, gateway.client().get("/health/live", Duration.ofSeconds(5)).status());
      }
      if (!worker.isAlive()) {
        // Downed while frozen: started again, as a supervisor would.
        worker = startWorker("frozen-again", gateways);
      }
      for (Gateway gateway : gateways) {
        awaitProcessCall(gateway, Duration.ofSeconds(90));
      }
    }
    for (Gateway gateway : gateways) {
      assertTrue(
          !gateway.process().log().contains("ClusterDowningReason"),
          "a gateway was downed" + gateway.process().tail());
    }
  }

  private void killOneGatewayOfTwo(String which, int victimIndex) throws Exception {
    List<Gateway> gateways = startGateways(which);
    NodeProcess worker = startWorker(which, gateways);
    awaitAllUp(gateways, 3);
    for (Gateway gateway : gateways) {
      awaitProcessCall(gateway, Duration.ofSeconds(60));
    }
    Gateway victim = gateways.get(victimIndex);
    Gateway survivor = gateways.get(1 - victimIndex);

    victim.process().kill();
    long killedAt = System.nanoTime();
    victim.process().awaitExit(Duration.ofSeconds(30));
    JsonNode view =
        Await.atMost(REMOVED_WITHIN, "the killed gateway gone from the survivor's /v1/cluster")
            .every(Duration.ofMillis(250))
            .abortIf(() -> !survivor.process().isAlive(), () -> "the survivor exited" + survivor.process().tail())
            .context(() -> survivor.process().tail() + worker.tail())
            .until(
                () -> survivor.client().get("/v1/cluster", Duration.ofSeconds(5)).json(),
                members -> !ProcessCluster.members(members).containsKey(victim.address()));
    Duration removedAfter = Duration.ofNanos(System.nanoTime() - killedAt);
    System.out.printf(
        "GatewayDowningIT %s: the killed gateway left the survivor's membership %d ms after SIGKILL%n",
        which, removedAfter.toMillis());

    assertEquals(
        Map.of(survivor.address(), "up", workerAddress(view), "up"),
        ProcessCluster.members(view),
        view::toString);
    // The survivor and the same worker JVM go on serving process work.
    assertTrue(worker.isAlive(), "the worker exited" + worker.tail());
    awaitProcessCall(survivor, Duration.ofSeconds(30));
    assertTrue(worker.isAlive(), "the worker exited" + worker.tail());
    assertTrue(survivor.process().isAlive(), "the survivor exited" + survivor.process().tail());
  }

  /** Two gateways that seed each other, in the order of their addresses (same host: by port). */
  private List<Gateway> startGateways(String name) {
    int first = FreePort.next();
    int second = FreePort.next();
    int low = Math.min(first, second);
    int high = Math.max(first, second);
    String seeds = "127.0.0.1:" + low + ",127.0.0.1:" + high;
    List<Gateway> gateways = new ArrayList<>();
    for (int clusterPort : List.of(low, high)) {
      int httpPort = FreePort.next();
      NodeProcess process =
          NodeProcess.start(
              "GatewayDowningIT-" + name + "-gateway-" + clusterPort,
              NodeProcess.javaJar(Artifacts.gatewayJar(), ProcessCluster.CLUSTER_OPTIONS),
              Map.of(
                  "TASKGRID_ROLES", "gateway",
                  "TASKGRID_HTTP_HOST", "127.0.0.1",
                  "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                  "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                  "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort),
                  "TASKGRID_SEED_NODES", seeds));
      processes.add(process);
      gateways.add(
          new Gateway(new GatewayClient(httpPort), "akka://taskgrid@127.0.0.1:" + clusterPort, process));
    }
    return gateways;
  }

  private NodeProcess startWorker(String name, List<Gateway> gateways) {
    String seeds =
        String.join(",", gateways.stream().map(g -> g.address().replace("akka://taskgrid@", "")).toList());
    NodeProcess worker =
        NodeProcess.start(
            "GatewayDowningIT-" + name + "-worker",
            NodeProcess.javaJar(Artifacts.workerJar(), ProcessCluster.CLUSTER_OPTIONS),
            Map.of(
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next()),
                "TASKGRID_METRICS_PORT", "0",
                "TASKGRID_SEED_NODES", seeds));
    processes.add(worker);
    return worker;
  }

  /** Waits until every gateway lists {@code count} members, all Up. */
  private static void awaitAllUp(List<Gateway> gateways, int count) throws InterruptedException {
    for (Gateway gateway : gateways) {
      Await.atMost(ProcessCluster.START_TIMEOUT, count + " members Up on " + gateway.address())
          .abortIf(() -> !gateway.process().isAlive(), () -> "the gateway exited" + gateway.process().tail())
          .until(
              () -> gateway.client().get("/v1/cluster", Duration.ofSeconds(5)).json(),
              view -> {
                Map<String, String> members = ProcessCluster.members(view);
                return members.size() == count && members.values().stream().allMatch("up"::equals);
              });
    }
  }

  /** Calls until a process call on this gateway succeeds. */
  private static void awaitProcessCall(Gateway gateway, Duration within) throws InterruptedException {
    Await.atMost(within, "a process call that succeeds on " + gateway.address())
        .every(Duration.ofMillis(500))
        .abortIf(() -> !gateway.process().isAlive(), () -> "the gateway exited" + gateway.process().tail())
        .context(() -> gateway.process().tail())
        .until(
            () -> gateway.client().post(SLEEP, "{\"millis\":1}", Duration.ofSeconds(10)),
            answer -> answer.status() == 200);
  }

  /** The one member of the view that is not a gateway's. */
  private static String workerAddress(JsonNode view) {
    for (JsonNode member : view.path("members")) {
      boolean gateway = false;
      for (JsonNode role : member.path("roles")) {
        gateway |= role.asText().equals("gateway");
      }
      if (!gateway) {
        return member.path("address").asText();
      }
    }
    return "no worker in " + view;
  }
}
