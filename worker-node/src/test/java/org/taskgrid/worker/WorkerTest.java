package org.taskgrid.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.task.Mode;

/**
 * A worker node in this JVM, started by {@link Worker#init} as {@code WorkerMain} starts one: a real
 * ActorSystem with cluster on 127.0.0.1 and a free port, which joins itself when the test says so.
 * Its executor is listed only once the node is Up; on Coordinated Shutdown it leaves the listing,
 * then drains its parts, for the drain timeout at most.
 */
class WorkerTest {
  /** The longest wait for a node to be Up with its executor listed, or to stop. */
  private static final Duration NODE_WAIT = Duration.ofSeconds(30);

  private static final String NODE_CONFIG =
      """
      akka.remote.artery.canonical.hostname = "127.0.0.1"
      akka.remote.artery.canonical.port = 0
      akka.cluster.seed-nodes = []
      # The worker's own config exits the JVM when the node stops: not the test's JVM.
      akka.coordinated-shutdown.exit-jvm = off
      # One node after the other in this JVM: each its own JMX bean, no warning about the name.
      akka.cluster.jmx.multi-mbeans-in-same-jvm = on
      """;

  /** The marker a Coordinated Shutdown task sends once the drain's phase is over. */
  private static final String DRAIN_PHASE_OVER = "the drain's phase is over";

  private final List<ActorSystem<Void>> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (ActorSystem<Void> node : nodes) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().get(NODE_WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    nodes.clear();
  }

  @Test
  void theExecutorIsListedOnlyOnceTheNodeIsUpAndThenTakesWork() throws Exception {
    ActorSystem<Void> node = startNode("30s");
    TestProbe<Receptionist.Listing> listings = TestProbe.create(node);
    node.receptionist().tell(Receptionist.subscribe(Executor.SERVICE_KEY, listings.ref()));
    assertEquals(Set.of(), executors(listings.receiveMessage(NODE_WAIT)));

    CompletionStage<Done> listed = Worker.init(node, settings(node));
    // Not a member of any cluster yet: no executor is listed, however long one waits.
    listings.expectNoMessage(Duration.ofSeconds(1));
    assertFalse(listed.toCompletableFuture().isDone(), "listed before the node joined");

    Cluster cluster = Cluster.get(node);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    List<Receptionist.Listing> seen =
        listings.fishForMessage(
            NODE_WAIT,
            listing ->
                executors(listing).isEmpty()
                    ? FishingOutcomes.continueAndIgnore()
                    : FishingOutcomes.complete());
    // The first listing that holds the executor comes when the node is already Up.
    assertEquals(MemberStatus.up(), cluster.selfMember().status());
    Set<ActorRef<Executor.Command>> executors = executors(seen.get(seen.size() - 1));
    assertEquals(1, executors.size(), executors::toString);
    listed.toCompletableFuture().get(NODE_WAIT.toSeconds(), TimeUnit.SECONDS);

    TestProbe<PartProtocol.PartOutcome> answers = TestProbe.create(node);
    executors.iterator().next().tell(sleep("part-1", 10, answers.ref()));
    PartProtocol.PartOutcome outcome = answers.receiveMessage(NODE_WAIT);
    assertInstanceOf(PartProtocol.PartSucceeded.class, outcome, outcome::toString);
    assertEquals(cluster.selfMember().address().toString(), outcome.node(), outcome::toString);
  }

  @Test
  void onShutdownItLeavesTheListingThenFinishesItsPartsBeforeShutdownGoesOn() throws Exception {
    ActorSystem<Void> node = startWorkerUp("30s");
    TestProbe<Object> events = TestProbe.create(node);
    ActorRef<Executor.Command> executor = listedExecutor(node, events);

    // Longer than the Receptionist takes to tell its subscribers that the executor left.
    executor.tell(sleep("part-1", 3000, events.ref().narrow()));
    List<Object> seen = shutDown(node, events);

    int left = firstListingWithout(executor, seen);
    int answered = indexOf(PartProtocol.PartSucceeded.class, seen);
    assertTrue(left >= 0, () -> "the executor never left the listing: " + seen);
    assertTrue(answered >= 0, () -> "the part was not finished before shutdown went on: " + seen);
    assertTrue(left < answered, () -> "the executor left the listing after its part ended: " + seen);
    node.getWhenTerminated().toCompletableFuture().get(NODE_WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void theDrainWaitsNoLongerThanTheDrainTimeout() throws Exception {
    ActorSystem<Void> node = startWorkerUp("1s");
    TestProbe<Object> events = TestProbe.create(node);
    ActorRef<Executor.Command> executor = listedExecutor(node, events);

    executor.tell(sleep("part-1", 60_000, events.ref().narrow()));
    List<Object> seen = shutDown(node, events);

    // Shutdown went on while the part still ran, and the node stopped without its answer.
    assertEquals(-1, indexOf(PartProtocol.PartOutcome.class, seen), () -> "the part ended: " + seen);
    node.getWhenTerminated().toCompletableFuture().get(NODE_WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** A node that is not a member of any cluster yet, with no worker on it. */
  private ActorSystem<Void> startNode(String drainTimeout) {
    Config config =
        NodeConfig.load(
            Map.of(),
            ConfigFactory.parseString(
                NODE_CONFIG + "taskgrid.worker.drain-timeout = " + drainTimeout + "\n"));
    ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    nodes.add(node);
    return node;
  }

  /** A worker node that joined itself, Up, with its executor listed. */
  private ActorSystem<Void> startWorkerUp(String drainTimeout) throws Exception {
    ActorSystem<Void> node = startNode(drainTimeout);
    CompletionStage<Done> listed = Worker.init(node, settings(node));
    Cluster cluster = Cluster.get(node);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    listed.toCompletableFuture().get(NODE_WAIT.toSeconds(), TimeUnit.SECONDS);
    return node;
  }

  private static WorkerSettings settings(ActorSystem<Void> node) {
    return WorkerSettings.fromConfig(node.settings().config());
  }

  /** Subscribes {@code events} to the listing and returns the one executor it lists. */
  private static ActorRef<Executor.Command> listedExecutor(
      ActorSystem<Void> node, TestProbe<Object> events) {
    ActorRef<Receptionist.Listing> listings = events.ref().narrow();
    node.receptionist().tell(Receptionist.subscribe(Executor.SERVICE_KEY, listings));
    List<Object> seen =
        events.fishForMessage(
            NODE_WAIT,
            event ->
                event instanceof Receptionist.Listing listing && !executors(listing).isEmpty()
                    ? FishingOutcomes.complete()
                    : FishingOutcomes.continueAndIgnore());
    Set<ActorRef<Executor.Command>> executors =
        executors((Receptionist.Listing) seen.get(seen.size() - 1));
    assertEquals(1, executors.size(), executors::toString);
    return executors.iterator().next();
  }

  /**
   * Runs Coordinated Shutdown, with a marker sent to {@code events} in the phase right after the
   * drain's; returns what {@code events} received until the marker, in order.
   */
  private static List<Object> shutDown(ActorSystem<Void> node, TestProbe<Object> events) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(node);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceStop(),
        "test-marker",
        () -> {
          events.ref().tell(DRAIN_PHASE_OVER);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    shutdown.run(CoordinatedShutdown.unknownReason());
    return events.fishForMessage(
        NODE_WAIT,
        event ->
            DRAIN_PHASE_OVER.equals(event)
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndCollect());
  }

  private static Set<ActorRef<Executor.Command>> executors(Receptionist.Listing listing) {
    return listing.getServiceInstances(Executor.SERVICE_KEY);
  }

  private static int firstListingWithout(ActorRef<Executor.Command> executor, List<Object> seen) {
    for (int i = 0; i < seen.size(); i++) {
      if (seen.get(i) instanceof Receptionist.Listing listing
          && !executors(listing).contains(executor)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(Class<?> type, List<Object> seen) {
    for (int i = 0; i < seen.size(); i++) {
      if (type.isInstance(seen.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** A part that sleeps without holding a thread. */
  private static PartProtocol.RunPart sleep(
      String partId, long millis, ActorRef<PartProtocol.PartOutcome> replyTo) {
    return new PartProtocol.RunPart(
        partId,
        "sleep",
        JsonNodeFactory.instance.objectNode().put("millis", millis),
        Mode.ASYNC,
        120_000,
        1,
        replyTo);
  }
}
