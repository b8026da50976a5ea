package org.taskgrid.core.downing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;

/**
 * The downing provider in real clusters of several actor systems in this JVM: a crashed node
 * (terminated without leaving, as a killed JVM) is downed and removed, and no gateway is downed
 * for it. Akka's resolver with keep-majority on the gateway role downed the survivor of two
 * gateways when the one with the lowest address crashed.
 */
class GatewayDowningTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

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

  private ActorSystem<Void> start(String role, Address seed) {
    String config =
        """
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        akka.remote.artery.canonical.port = 0
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        akka.cluster.failure-detector.heartbeat-interval = 200ms
        taskgrid.downing.stable-after = 2s
        akka.coordinated-shutdown.exit-jvm = off
        akka.cluster.jmx.multi-mbeans-in-same-jvm = on
        # terminate() as a crash: no leaving, no goodbye to wait for.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.remote.artery.advanced.shutdown-flush-timeout = 100ms
        """
            + "akka.cluster.roles = [\"" + role + "\"]\n";
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            NodeConfig.SYSTEM_NAME,
            NodeConfig.load(Map.of(), ConfigFactory.parseString(config)));
    systems.add(system);
    Address self = Cluster.get(system).selfMember().address();
    Cluster.get(system).manager().tell(Join.create(seed == null ? self : seed));
    return system;
  }

  private static Address address(ActorSystem<Void> system) {
    return Cluster.get(system).selfMember().address();
  }

  private static Map<Address, MemberStatus> members(ActorSystem<Void> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .collect(Collectors.toMap(Member::address, Member::status));
  }

  private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("gave up waiting for " + what + " after " + WITHIN);
      }
      Thread.sleep(100);
    }
  }

  private void crash(ActorSystem<Void> system) throws Exception {
    systems.remove(system);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void aCrashedWorkerIsRemovedAndTheGatewayStaysUp() throws Exception {
    ActorSystem<Void> gateway = start("gateway", null);
    ActorSystem<Void> worker = start("worker", address(gateway));
    await("both Up", () -> members(gateway).values().stream().filter(MemberStatus.up()::equals).count() == 2);
    Address workerAddress = address(worker);

    crash(worker);
    await("the crashed worker removed", () -> !members(gateway).containsKey(workerAddress));
    assertEquals(Map.of(address(gateway), MemberStatus.up()), members(gateway));
  }

  @Test
  void eitherOfTwoGatewaysCrashingLeavesTheOtherAndTheWorkerUp() throws Exception {
    for (boolean lowest : new boolean[] {true, false}) {
      ActorSystem<Void> first = start("gateway", null);
      ActorSystem<Void> second = start("gateway", address(first));
      ActorSystem<Void> worker = start("worker", address(first));
      await("three Up", () -> members(first).values().stream().filter(MemberStatus.up()::equals).count() == 3);
      Comparator<ActorSystem<Void>> byAddress =
          (a, b) -> Member.addressOrdering().compare(address(a), address(b));
      List<ActorSystem<Void>> gateways = new ArrayList<>(List.of(first, second));
      gateways.sort(byAddress);
      ActorSystem<Void> victim = gateways.get(lowest ? 0 : 1);
      ActorSystem<Void> survivor = gateways.get(lowest ? 1 : 0);
      Address victimAddress = address(victim);

      crash(victim);
      await(
          "the crashed gateway removed",
          () -> !members(survivor).containsKey(victimAddress) && !members(worker).containsKey(victimAddress));
      assertEquals(
          Set.of(address(survivor), address(worker)),
          members(survivor).keySet(),
          "lowest crashed: " + lowest);
      assertTrue(members(survivor).values().stream().allMatch(MemberStatus.up()::equals), members(survivor).toString());
      assertEquals(MemberStatus.up(), Cluster.get(worker).selfMember().status());
      stopAll();
      systems.clear();
    }
  }
}
