package org.taskgrid.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.routing.TestCluster.JSON;
import static org.taskgrid.core.routing.TestCluster.awaitListing;
import static org.taskgrid.core.routing.TestCluster.awaitStatus;
import static org.taskgrid.core.routing.TestCluster.executorOn;
import static org.taskgrid.core.routing.TestCluster.isIn;
import static org.taskgrid.core.routing.TestCluster.receiveOnce;
import static org.taskgrid.core.routing.TestCluster.sleep;
import static org.taskgrid.core.routing.TestCluster.startExecutor;
import static org.taskgrid.core.routing.TestCluster.status;
import static org.taskgrid.core.routing.TestCluster.takesWork;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.routing.TestCluster.Node;

/**
 * The router in a real cluster in this JVM: a gateway and two workers, each worker with an executor
 * listed with the Receptionist. The nodes live as long as the class, so no test here kills one
 * (see {@link RouterFailoverTest}); each test has a router of its own, so none sees another's parts.
 * A test that adds a worker takes its executor out of the listing again before it ends.
 */
class RouterTest {
  /** How long to listen for an answer that must not come. */
  private static final Duration NO_MORE = Duration.ofMillis(500);

  private static TestCluster cluster;
  private static Node gateway;
  private static Node worker1;
  private static Node worker2;
  /** Up from the start, its executor listed only by the test of draining. */
  private static Node worker3;

  private ActorRef<Router.Command> router;
  private TestProbe<PartOutcome> client;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster();
    gateway = cluster.gateway("");
    worker1 = cluster.worker(false);
    worker2 = cluster.worker(false);
    worker3 = cluster.worker(false);
    cluster.awaitAllUp();
    startExecutor(worker1);
    startExecutor(worker2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void startRouter() {
    router = TestCluster.startRouter(gateway);
    client = TestProbe.create(gateway.system);
    awaitStatus(
        gateway, router, Duration.ofSeconds(10), "both workers active with their capacity",
        status -> takesWork(status, worker1) && takesWork(status, worker2));
  }

  @AfterEach
  void stopRouter() {
    gateway.testKit.stop(router);
  }

  @Test
  void eachExecutorsCapacityIsReportedPerLane() {
    Router.ExecutorStatus executor = executorOn(status(gateway, router), worker1);
    assertEquals(64, executor.blockingSlots(), executor::toString);
    assertEquals(Runtime.getRuntime().availableProcessors(), executor.cpuSlots(), executor::toString);
    assertEquals(executor.blockingSlots() + executor.cpuSlots(), executor.capacity());
    // Two remote workers, each sent three times as many parts again as it has slots (queue-ahead 3).
    assertEquals(
        2 * 4 * Runtime.getRuntime().availableProcessors(),
        status(gateway, router).activeRoom(org.taskgrid.core.execution.Lane.CPU));
  }

  @Test
  void aResultTooLargeForTheNetworkIsAnsweredAsAFailureNotDropped() {
    // 3 million characters: more than the 2 MiB a message between nodes may carry.
    router.tell(
        new Router.Submit(
            "huge", "grow", JSON.objectNode().put("chars", 3_000_000), Mode.PROCESS, 60_000,
            client.ref()));

    PartFailed failed = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(15));
    assertEquals(Failure.TASK_FAILED, failed.failure(), failed::toString);
    assertTrue(failed.message().contains("a message between nodes may carry"), failed::toString);
    // A result that fits still arrives.
    router.tell(
        new Router.Submit(
            "fits", "grow", JSON.objectNode().put("chars", 1_000_000), Mode.PROCESS, 60_000,
            client.ref()));
    assertInstanceOf(PartSucceeded.class, client.receiveMessage(Duration.ofSeconds(15)));
  }

  @Test
  void spreadsPartsOverBothWorkersAndAnswersEachOnce() {
    int count = 40;
    for (int i = 0; i < count; i++) {
      router.tell(sleep("spread-" + i, 100, 10_000, client.ref()));
    }

    Map<String, PartOutcome> outcomes = receiveOnce(client, count, Duration.ofSeconds(15));
    client.expectNoMessage(NO_MORE);

    Map<String, Long> perNode = new HashMap<>();
    for (PartOutcome outcome : outcomes.values()) {
      assertInstanceOf(PartSucceeded.class, outcome, outcome::toString);
      assertEquals(1, outcome.attempt(), outcome::toString);
      perNode.merge(outcome.node(), 1L, Long::sum);
    }
    assertEquals(Set.of(worker1.name(), worker2.name()), perNode.keySet(), "nodes that ran parts");

    Router.Status status = status(gateway, router);
    assertEquals(2, status.executors().size(), status::toString);
    for (Router.ExecutorStatus executor : status.executors()) {
      assertEquals(ExecutorState.ACTIVE, executor.state(), executor::toString);
      assertTrue(executor.capacity() > 1, executor::toString);
      assertEquals(0, executor.inFlight(), executor::toString);
      assertEquals(perNode.get(executor.node()), executor.completed(), executor::toString);
    }
  }

  @Test
  void aWorkerAddedLaterReceivesWorkSoonAfterItsExecutorIsListed() {
    Node late = cluster.worker(false);
    cluster.awaitAllUp();
    long registered = System.nanoTime();
    ActorRef<Executor.Command> executor = startExecutor(late);
    try {
      awaitStatus(
          gateway, router, Duration.ofSeconds(10), "the late worker active with its capacity",
          status -> takesWork(status, late));

      // Six parts in flight at once over three executors of equal capacity: two each.
      for (int i = 0; i < 6; i++) {
        router.tell(sleep("late-" + i, 500, 10_000, client.ref()));
      }
      Map<String, PartOutcome> outcomes = receiveOnce(client, 6, Duration.ofSeconds(10));
      long onLate =
          outcomes.values().stream().filter(outcome -> outcome.node().equals(late.name())).count();
      assertTrue(onLate > 0, () -> "the late worker ran nothing: " + outcomes);
      Duration untilWork = Duration.ofNanos(System.nanoTime() - registered);
      assertTrue(untilWork.compareTo(Duration.ofSeconds(10)) < 0, "work came after " + untilWork);
    } finally {
      // Out of the listing again, so the routers of the other tests see two workers only.
      late.system.receptionist().tell(Receptionist.deregister(Executor.SERVICE_KEY, executor));
      awaitStatus(
          gateway, router, Duration.ofSeconds(10), "the late worker out of the listing",
          status -> isIn(status, late, ExecutorState.DRAINING));
    }
  }

  @Test
  void aTaskThatFailsIsAnsweredOnceAndNotRetriedAnUnknownOneOncePerWorker() {
    // The gateway would refuse this many rounds; Submit does not validate, so the executor does.
    router.tell(
        new Router.Submit(
            "too-many-rounds", "sha256",
            JSON.objectNode().put("text", "abc").put("rounds", 100_000_001L),
            Mode.PROCESS, 10_000, client.ref()));
    router.tell(
        new Router.Submit(
            "no-such-task", "no-such-task", JSON.objectNode(), Mode.PROCESS, 10_000, client.ref()));

    Map<String, PartOutcome> outcomes = receiveOnce(client, 2, Duration.ofSeconds(5));
    client.expectNoMessage(NO_MORE);

    PartFailed invalid = assertInstanceOf(PartFailed.class, outcomes.get("too-many-rounds"));
    assertEquals(Failure.INVALID_INPUT, invalid.failure(), invalid::toString);
    assertEquals("rounds", invalid.field(), invalid::toString);
    assertEquals(1, invalid.attempt(), invalid::toString);
    assertTrue(Set.of(worker1.name(), worker2.name()).contains(invalid.node()), invalid::toString);

    PartFailed unknown = assertInstanceOf(PartFailed.class, outcomes.get("no-such-task"));
    assertEquals(Failure.UNKNOWN_TASK, unknown.failure(), unknown::toString);
    // A worker may lack a task that another has (another classpath): each worker is asked once.
    assertEquals(2, unknown.attempt(), unknown::toString);

    // Not sent anywhere again: nothing is in flight, and each failure counted once.
    Router.Status status = status(gateway, router);
    assertEquals(0, status.executors().stream().mapToInt(Router.ExecutorStatus::inFlight).sum());
    assertEquals(2, status.executors().stream().mapToLong(Router.ExecutorStatus::completed).sum());
  }

  @Test
  void aPartThatOutlivesItsTimeoutIsAnsweredTimeoutOnce() {
    long start = System.nanoTime();
    router.tell(sleep("slow", 5_000, 400, client.ref()));

    PartFailed failed = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(3));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(Failure.TIMEOUT, failed.failure(), failed::toString);
    assertEquals("slow", failed.partId());
    assertTrue(took.toMillis() >= 350, "answered after " + took);
    // Both the router and the executor keep the deadline; whichever is second is dropped.
    client.expectNoMessage(Duration.ofSeconds(1));
    Router.Status status = status(gateway, router);
    assertEquals(0, status.executors().stream().mapToInt(Router.ExecutorStatus::inFlight).sum());
  }

  @Test
  void aDrainingWorkerGetsNoNewPartsAndFinishesThoseItHolds() {
    Node leaving = worker3;
    ActorRef<Executor.Command> executor = startExecutor(leaving);
    awaitStatus(
        gateway, router, Duration.ofSeconds(10), "the third worker active with its capacity",
        status -> takesWork(status, leaving));

    // Six long parts over three executors of equal capacity: two each.
    for (int i = 0; i < 6; i++) {
      router.tell(sleep("held-" + i, 3_000, 20_000, client.ref()));
    }
    int held = executorOn(status(gateway, router), leaving).inFlight();
    assertTrue(held > 0, "the third worker holds no part");

    leaving.system.receptionist().tell(Receptionist.deregister(Executor.SERVICE_KEY, executor));
    Router.Status draining =
        awaitStatus(
            gateway, router, Duration.ofSeconds(3), "the third worker draining",
            status -> isIn(status, leaving, ExecutorState.DRAINING));
    assertEquals(held, executorOn(draining, leaving).inFlight(), "parts the draining worker holds");
    assertTrue(draining.anyActive());

    for (int i = 0; i < 4; i++) {
      router.tell(sleep("after-" + i, 200, 10_000, client.ref()));
    }
    Map<String, PartOutcome> outcomes = receiveOnce(client, 10, Duration.ofSeconds(15));
    client.expectNoMessage(NO_MORE);

    int fromLeaving = 0;
    for (PartOutcome outcome : outcomes.values()) {
      assertInstanceOf(PartSucceeded.class, outcome, outcome::toString);
      assertEquals(1, outcome.attempt(), outcome::toString);
      if (outcome.partId().startsWith("after-")) {
        assertNotEquals(leaving.name(), outcome.node(), () -> "a new part went to it: " + outcome);
      } else if (outcome.node().equals(leaving.name())) {
        fromLeaving++;
      }
    }
    assertEquals(held, fromLeaving, "parts answered by the draining worker");
    Router.ExecutorStatus drained = executorOn(status(gateway, router), leaving);
    assertNotNull(drained);
    assertEquals(ExecutorState.DRAINING, drained.state());
    assertEquals(0, drained.inFlight());
    assertEquals(held, drained.completed());
  }

  @Test
  void thePartsOfAnExecutorThatStopsOnALiveNodeGoElsewhere() {
    Node node = worker3;
    ActorRef<Executor.Command> executor = startExecutor(node);
    awaitStatus(
        gateway, router, Duration.ofSeconds(10), "the third worker active with its capacity",
        status -> takesWork(status, node));
    for (int i = 0; i < 6; i++) {
      router.tell(sleep("orphan-" + i, 1_000, 20_000, client.ref()));
    }
    int held = executorOn(status(gateway, router), node).inFlight();
    assertTrue(held > 0, "the third worker holds no part");

    // The node stays Up and reachable; only its executor is gone, and its parts with it.
    node.testKit.stop(executor);

    // Long before the parts' 20 s timeout.
    Map<String, PartOutcome> outcomes = receiveOnce(client, 6, Duration.ofSeconds(6));
    client.expectNoMessage(NO_MORE);
    int secondAttempts = 0;
    for (PartOutcome outcome : outcomes.values()) {
      assertInstanceOf(PartSucceeded.class, outcome, outcome::toString);
      assertNotEquals(node.name(), outcome.node(), outcome::toString);
      if (outcome.attempt() == 2) {
        secondAttempts++;
      }
    }
    assertEquals(held, secondAttempts, "parts sent again");
    // Out of every listing before the next test's router subscribes.
    awaitListing(
        gateway, Duration.ofSeconds(10), "the stopped executor unlisted",
        listed -> listed.stream().noneMatch(ref -> ref.path().address().equals(node.address)));
  }

  @Test
  void partsSubmittedTogetherAreEachAnsweredOnceSomeGathered() {
    // One probe for both kinds of answer: alone (PartOutcome) or gathered (PartOutcomes).
    TestProbe<Object> answers = TestProbe.create(gateway.system);
    int count = 40;
    List<Router.Submit> submits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      submits.add(
          new Router.Submit(
              "together-" + i, "echo", JSON.objectNode().put("i", i), Mode.PROCESS, 10_000,
              answers.ref().narrow(), true));
    }
    router.tell(new Router.SubmitParts(submits, answers.ref().narrow()));

    Map<String, PartOutcome> byPart = new HashMap<>();
    int gatheredMessages = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (byPart.size() < count && System.nanoTime() < deadline) {
      Object answer = answers.receiveMessage(Duration.ofSeconds(15));
      List<PartOutcome> outcomes;
      if (answer instanceof PartProtocol.PartOutcomes gathered) {
        gatheredMessages++;
        outcomes = gathered.all();
      } else {
        outcomes = List.of((PartOutcome) answer);
      }
      for (PartOutcome outcome : outcomes) {
        assertTrue(byPart.put(outcome.partId(), outcome) == null, "answered twice: " + outcome);
      }
    }
    answers.expectNoMessage(NO_MORE);
    assertEquals(count, byPart.size(), byPart::toString);
    for (int i = 0; i < count; i++) {
      PartOutcome outcome = byPart.get("together-" + i);
      PartSucceeded succeeded = assertInstanceOf(PartSucceeded.class, outcome, String.valueOf(outcome));
      assertEquals(i, succeeded.result().path("i").asInt(), succeeded::toString);
      assertEquals(1, succeeded.attempt(), succeeded::toString);
      assertTrue(
          succeeded.node().equals(worker1.name()) || succeeded.node().equals(worker2.name()),
          succeeded::toString);
    }
    // At least one executor got several parts in one message, and its answers came back gathered.
    assertTrue(gatheredMessages > 0, "no answer came gathered");
  }

  @Test
  void aPartSubmittedTogetherIsCancelledAlone() {
    TestProbe<PartProtocol.PartOutcomes> gathered = TestProbe.create(gateway.system);
    router.tell(
        new Router.SubmitParts(
            List.of(
                sleep("cancel-together-0", 5_000, 20_000, client.ref()),
                sleep("cancel-together-1", 5_000, 20_000, client.ref())),
            gathered.ref()));
    awaitStatus(
        gateway, router, Duration.ofSeconds(10), "both parts on executors",
        status -> status.executors().stream().mapToInt(Router.ExecutorStatus::inFlight).sum() == 2);

    router.tell(new Router.Cancel("cancel-together-0"));
    PartFailed cancelled = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(10));
    assertEquals("cancel-together-0", cancelled.partId());
    assertEquals(Failure.CANCELLED, cancelled.failure(), cancelled::toString);
    router.tell(new Router.Cancel("cancel-together-1"));
    PartFailed other = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(10));
    assertEquals("cancel-together-1", other.partId());
    client.expectNoMessage(NO_MORE);
    gathered.expectNoMessage(NO_MORE);
  }

  @Test
  void capacityMessagesSurviveSerialization() {
    var serialization = gateway.testKit.serializationTestKit();
    TestProbe<Executor.Capacity> replyTo = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> executor = TestProbe.create(gateway.system);

    serialization.verifySerialization(new Executor.GetCapacity(replyTo.ref()), true);
    serialization.verifySerialization(new Executor.Capacity(executor.ref(), 64, 2), true);
  }
}
