package org.taskgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.ShutdownSignals;

/**
 * A worker left in a cluster with no gateway stops by itself, with a reason that exits non-zero;
 * one whose gateway stays keeps running. Real clusters of two ActorSystems in this JVM.
 */
class GatewayWatchTest {
  private static final Duration ABSENT_TIMEOUT = Duration.ofMillis(500);
  private static final Duration MAX_WAIT = Duration.ofSeconds(20);

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (ActorSystem<Void> system : systems) {
      system.terminate();
    }
    for (ActorSystem<Void> system : systems) {
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  private ActorSystem<Void> node(String role) {
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            NodeConfig.SYSTEM_NAME,
            NodeConfig.load(Map.of(), ConfigFactory.parseString("akka.cluster.roles = [\"" + role + "\"]")));
    systems.add(system);
    return system;
  }

  /** A gateway and a worker that joined it, both Up, the worker's watch started. */
  private ActorSystem<Void>[] gatewayAndWatchedWorker() {
    ActorSystem<Void> gateway = node("gateway");
    ActorSystem<Void> worker = node("worker");
    Cluster.get(gateway).manager().tell(Join.create(Cluster.get(gateway).selfMember().address()));
    Cluster.get(worker).manager().tell(Join.create(Cluster.get(gateway).selfMember().address()));
    await("both nodes Up", () -> upMembers(worker) == 2 && upMembers(gateway) == 2);
    worker.systemActorOf(GatewayWatch.create(ABSENT_TIMEOUT), "gateway-watch", akka.actor.typed.Props.empty());
    @SuppressWarnings("unchecked")
    ActorSystem<Void>[] both = new ActorSystem[] {gateway, worker};
    return both;
  }

  @Test
  void aWorkerWhoseGatewayLeftGracefullyStopsWithAReasonThatExitsNonZero() {
    ActorSystem<Void>[] nodes = gatewayAndWatchedWorker();
    ActorSystem<Void> worker = nodes[1];
    // A SIGTERM: the gateway leaves the cluster cleanly, nothing becomes unreachable.
    CoordinatedShutdown.get(nodes[0]).run(new ShutdownSignals.SignalReceived("SIGTERM"));

    await("the worker to stop", () -> worker.getWhenTerminated().toCompletableFuture().isDone());
    assertEquals(
        Optional.of(GatewayWatch.GatewayAbsent.INSTANCE),
        CoordinatedShutdown.get(worker).getShutdownReason());
    assertEquals(
        3,
        worker.settings().config()
            .getInt("akka.coordinated-shutdown.reason-overrides.\"org.taskgrid.worker.GatewayWatch$GatewayAbsent\".exit-code"),
        "the exit code a supervisor sees");
  }

  @Test
  void aWorkerWithItsGatewayKeepsRunning() throws InterruptedException {
    ActorSystem<Void>[] nodes = gatewayAndWatchedWorker();
    Thread.sleep(ABSENT_TIMEOUT.multipliedBy(4).toMillis());
    assertFalse(nodes[1].getWhenTerminated().toCompletableFuture().isDone(), "the worker stopped");
    assertTrue(CoordinatedShutdown.get(nodes[1]).getShutdownReason().isEmpty());
  }

  @Test
  void aWorkerDrainsUnlessItWasCutOff() {
    assertTrue(Worker.drainsFor(Optional.empty()));
    assertTrue(Worker.drainsFor(Optional.of(new ShutdownSignals.SignalReceived("SIGTERM"))));
    assertFalse(Worker.drainsFor(Optional.of(CoordinatedShutdown.clusterDowningReason())));
    assertFalse(Worker.drainsFor(Optional.of(GatewayWatch.GatewayAbsent.INSTANCE)));
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + MAX_WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("no " + what + " within " + MAX_WAIT);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting for " + what);
      }
    }
  }
}
