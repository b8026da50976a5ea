package org.taskgrid.core.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.routing.TestCluster.JSON;
import static org.taskgrid.core.routing.TestCluster.awaitStatus;
import static org.taskgrid.core.routing.TestCluster.executorOn;
import static org.taskgrid.core.routing.TestCluster.receiveOnce;
import static org.taskgrid.core.routing.TestCluster.sleep;
import static org.taskgrid.core.routing.TestCluster.startExecutor;
import static org.taskgrid.core.routing.TestCluster.startRouter;
import static org.taskgrid.core.routing.TestCluster.status;
import static org.taskgrid.core.routing.TestCluster.takesWork;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.receptionist.Receptionist;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.routing.TestCluster.Node;

/**
 * The router when workers are missing or die: every test has a cluster of its own, since a crashed
 * node stays in the others' view (unreachable, then downed) for seconds. A crash is
 * {@code ActorSystem.terminate()} of a node whose Coordinated Shutdown does not run on terminate:
 * it neither leaves the cluster nor drains, and the others find out through their failure detectors.
 */
class RouterFailoverTest {
  private static final Duration NO_MORE = Duration.ofMillis(500);
  private static final Duration STATUS_WAIT = Duration.ofSeconds(10);

  private final TestCluster cluster = new TestCluster();

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void withNoExecutorListedAPartFailsAtOnce() {
    Node gateway = cluster.gateway("");
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);

    router.tell(sleep("alone", 100, 10_000, client.ref()));

    PartFailed failed = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(1));
    assertEquals(Failure.NO_WORKERS, failed.failure(), failed::toString);
    assertEquals("alone", failed.partId());
    client.expectNoMessage(NO_MORE);
    Router.Status status = status(gateway, router);
    assertTrue(status.executors().isEmpty(), status::toString);
    assertFalse(status.anyActive());
  }

  @Test
  void thePartsOfACrashedWorkerAreAnsweredOnceByTheSurvivor() {
    Node gateway = cluster.gateway("");
    Node survivor = cluster.worker(false);
    Node doomed = cluster.worker(true);
    cluster.awaitAllUp();
    startExecutor(survivor);
    startExecutor(doomed);
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    awaitStatus(
        gateway, router, STATUS_WAIT, "both executors with their capacity",
        status -> takesWork(status, survivor) && takesWork(status, doomed));

    int count = 8;
    for (int i = 0; i < count; i++) {
      router.tell(sleep("crash-" + i, 2_500, 20_000, client.ref()));
    }
    int lost = executorOn(status(gateway, router), doomed).inFlight();
    assertTrue(lost > 0, "the doomed worker holds no part");

    cluster.crash(doomed);

    Map<String, PartOutcome> outcomes = receiveOnce(client, count, Duration.ofSeconds(20));
    client.expectNoMessage(NO_MORE);
    int secondAttempts = 0;
    for (PartOutcome outcome : outcomes.values()) {
      assertInstanceOf(PartSucceeded.class, outcome, outcome::toString);
      assertEquals(survivor.name(), outcome.node(), outcome::toString);
      if (outcome.attempt() == 2) {
        secondAttempts++;
      } else {
        assertEquals(1, outcome.attempt(), outcome::toString);
      }
    }
    assertEquals(lost, secondAttempts, "parts sent again after the crash");
    Router.Status status = status(gateway, router);
    assertEquals(count, executorOn(status, survivor).completed(), status::toString);
    Router.ExecutorStatus gone = executorOn(status, doomed);
    assertTrue(gone == null || gone.state() != ExecutorState.ACTIVE, status::toString);
  }

  @Test
  void aPartWhoseWorkersKeepDyingFailsAfterMaxAttemptsWhileOthersSucceed() {
    Node gateway = cluster.gateway("taskgrid.router.max-attempts = 2");
    Node first = cluster.worker(true);
    Node second = cluster.worker(true);
    Node last = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);

    // Each executor is listed only when the poison part is to go there next: no choice of target.
    startExecutor(first);
    awaitStatus(gateway, router, STATUS_WAIT, "the first executor", s -> takesWork(s, first));
    router.tell(sleep("poison", 30_000, 40_000, client.ref()));
    startExecutor(second);
    awaitStatus(gateway, router, STATUS_WAIT, "the second executor", s -> takesWork(s, second));
    assertEquals(1, executorOn(status(gateway, router), first).inFlight());

    cluster.crash(first);
    awaitStatus(
        gateway, router, STATUS_WAIT, "the poison part sent to the second worker",
        status -> executorOn(status, second).inFlight() == 1);
    for (int i = 0; i < 3; i++) {
      router.tell(sleep("meanwhile-" + i, 200, 10_000, client.ref()));
    }
    Map<String, PartOutcome> meanwhile = receiveOnce(client, 3, Duration.ofSeconds(10));
    meanwhile.values().forEach(outcome -> assertSucceededOn(second, 1, outcome));

    // Let the first crash be settled (downed, removed) before the next, as after a real crash;
    // reachability that keeps changing would make the Split Brain Resolver down every node.
    awaitStatus(
        gateway, router, Duration.ofSeconds(15), "the first worker removed",
        status -> executorOn(status, first) == null);
    startExecutor(last);
    awaitStatus(gateway, router, STATUS_WAIT, "the last executor", s -> takesWork(s, last));
    assertEquals(1, executorOn(status(gateway, router), second).inFlight());

    cluster.crash(second);
    PartFailed poison = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(10));
    assertEquals("poison", poison.partId(), poison::toString);
    assertEquals(Failure.WORKER_LOST, poison.failure(), poison::toString);
    assertEquals(2, poison.attempt(), poison::toString);

    for (int i = 0; i < 3; i++) {
      router.tell(sleep("after-" + i, 200, 10_000, client.ref()));
    }
    Map<String, PartOutcome> after = receiveOnce(client, 3, Duration.ofSeconds(10));
    after.values().forEach(outcome -> assertSucceededOn(last, 1, outcome));
    client.expectNoMessage(NO_MORE);
  }

  @Test
  void anAnswerOfASupersededAttemptIsDropped() {
    Node gateway = cluster.gateway("");
    Node lost = cluster.worker(true);
    Node survivor = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);

    // On the node that will be lost, an executor that the test plays: it answers when told to.
    TestProbe<Executor.Command> played = TestProbe.create(lost.system);
    lost.system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, played.ref()));
    awaitStatus(
        gateway, router, STATUS_WAIT, "the played executor",
        status -> executorOn(status, lost) != null);
    router.tell(sleep("twice", 1_500, 20_000, client.ref()));
    // Both from the router, so in this order; left unanswered, the capacity stays at one.
    played.expectMessageClass(Executor.GetCapacity.class, Duration.ofSeconds(5));
    PartProtocol.RunPart first =
        played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5));
    assertEquals(1, first.attempt());
    // The router's address for answers, as the gateway itself resolves it: it outlives the node.
    String address = ActorRefResolver.get(lost.system).toSerializationFormat(first.replyTo());
    ActorRef<PartOutcome> answers = ActorRefResolver.get(gateway.system).resolveActorRef(address);

    startExecutor(survivor);
    awaitStatus(gateway, router, STATUS_WAIT, "the survivor", s -> takesWork(s, survivor));
    cluster.crash(lost);
    awaitStatus(
        gateway, router, STATUS_WAIT, "the part sent to the survivor",
        status -> executorOn(status, survivor).inFlight() == 1);

    // The first attempt answers after all, while the second one runs: too late.
    answers.tell(new PartSucceeded("twice", 1, lost.name(), JSON.objectNode(), "late", 1));
    client.expectNoMessage(Duration.ofMillis(200));

    PartOutcome outcome = receiveOnce(client, 1, Duration.ofSeconds(10)).get("twice");
    assertSucceededOn(survivor, 2, outcome);
    // Answers after the part is done, of either attempt, are dropped as well.
    answers.tell(new PartFailed("twice", 1, lost.name(), Failure.TASK_FAILED, "late", null));
    answers.tell(new PartSucceeded("twice", 2, survivor.name(), JSON.objectNode(), "again", 1));
    client.expectNoMessage(NO_MORE);
    assertEquals(1, executorOn(status(gateway, router), survivor).completed());
  }

  @Test
  void aWorkerThatComesBackIsToldToStopThePartsThatWentElsewhere() {
    Node gateway = cluster.gateway(TestCluster.CUTTABLE);
    Node blip = cluster.worker(false, TestCluster.CUTTABLE);
    Node steady = cluster.worker(false, TestCluster.CUTTABLE);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);

    // On the node that will be cut off, an executor that the test plays: it never answers.
    TestProbe<Executor.Command> played = TestProbe.create(blip.system);
    blip.system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, played.ref()));
    awaitStatus(
        gateway, router, STATUS_WAIT, "the played executor",
        status -> executorOn(status, blip) != null);
    router.tell(sleep("moved", 1_000, 20_000, client.ref()));
    played.expectMessageClass(Executor.GetCapacity.class, Duration.ofSeconds(5));
    assertEquals(1, played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5)).attempt());

    startExecutor(steady);
    awaitStatus(gateway, router, STATUS_WAIT, "the steady worker", s -> takesWork(s, steady));
    TestCluster.cutOff(gateway, blip, true);
    // The part goes to the other worker, which runs it.
    assertSucceededOn(steady, 2, receiveOnce(client, 1, Duration.ofSeconds(15)).get("moved"));

    TestCluster.cutOff(gateway, blip, false);
    // Back, the played executor would still run attempt 1, uncounted by the router: it is stopped.
    PartProtocol.CancelPart cancel =
        played.expectMessageClass(PartProtocol.CancelPart.class, Duration.ofSeconds(15));
    assertEquals("moved", cancel.partId());
    assertEquals(1, cancel.upToAttempt());
    client.expectNoMessage(NO_MORE);
  }

  /** A played executor on the node, listed, that the router sends work to; its first part. */
  private static PartProtocol.RunPart firstPartOnPlayed(
      Node gateway, ActorRef<Router.Command> router, Node node, TestProbe<Executor.Command> played,
      Router.Submit submit) {
    node.system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, played.ref()));
    awaitStatus(
        gateway, router, STATUS_WAIT, "the played executor",
        status -> executorOn(status, node) != null);
    router.tell(submit);
    played.expectMessageClass(Executor.GetCapacity.class, Duration.ofSeconds(5));
    return played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5));
  }

  @Test
  void aPartThatADrainingExecutorRefusesGoesElsewhereWithoutCostingAnAttempt() {
    // One attempt only: had the refusal counted, the part could not go elsewhere.
    Node gateway = cluster.gateway("taskgrid.router.max-attempts = 1");
    Node leaving = cluster.worker(false);
    Node other = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> played = TestProbe.create(leaving.system);
    PartProtocol.RunPart first =
        firstPartOnPlayed(gateway, router, leaving, played, sleep("refused", 10, 20_000, client.ref()));
    startExecutor(other);
    awaitStatus(gateway, router, STATUS_WAIT, "the other worker", s -> takesWork(s, other));

    // Its node leaves, and the router has not heard yet: the executor refuses as it drains.
    first.replyTo().tell(first.failed(leaving.name(), Failure.DRAINING, "leaving"));

    assertSucceededOn(other, 2, receiveOnce(client, 1, Duration.ofSeconds(10)).get("refused"));
    assertTrue(
        TestCluster.isIn(status(gateway, router), leaving, ExecutorState.DRAINING),
        "the refusing executor gets no new part");
    client.expectNoMessage(NO_MORE);
  }

  @Test
  void withoutQueueAheadAWorkerGetsNoMoreCpuBoundPartsThanItHasCpuSlotsWhileBlockingOnesStillGo() {
    Node gateway = cluster.gateway("taskgrid.router.queue-ahead = 0");
    Node worker = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> played = playedExecutor(gateway, router, worker, 64, 1);

    router.tell(primes("cpu-1", client.ref()));
    PartProtocol.RunPart first = played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5));
    assertEquals("cpu-1", first.partId());
    router.tell(primes("cpu-2", client.ref()));
    router.tell(sleep("blocking", 10, 20_000, client.ref()));
    // The blocking part goes at once; the second CPU-bound part waits for the one CPU slot.
    assertEquals("blocking", played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5)).partId());
    played.expectNoMessage(NO_MORE);

    first.replyTo().tell(new PartSucceeded("cpu-1", 1, worker.name(), JSON.numberNode(168), "t", 1));
    assertEquals("cpu-2", played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5)).partId());
  }

  @Test
  void aRemoteWorkerIsSentAsManyPartsAgainAsItHasSlotsToQueueAheadAndNoMore() {
    Node gateway = cluster.gateway("taskgrid.router.queue-ahead = 1");
    Node worker = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> played = playedExecutor(gateway, router, worker, 64, 1);
    Router.Status status = status(gateway, router);
    assertEquals(128, status.activeRoom(Lane.BLOCKING), status::toString);
    assertEquals(2, status.activeRoom(Lane.CPU), status::toString);

    router.tell(primes("cpu-1", client.ref()));
    PartProtocol.RunPart first = played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5));
    router.tell(primes("cpu-2", client.ref()));
    // One runs, one waits in the worker's queue; the third waits in the router.
    assertEquals("cpu-2", played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5)).partId());
    router.tell(primes("cpu-3", client.ref()));
    played.expectNoMessage(NO_MORE);

    first.replyTo().tell(new PartSucceeded(first.partId(), 1, worker.name(), JSON.numberNode(168), "t", 1));
    assertEquals("cpu-3", played.expectMessageClass(PartProtocol.RunPart.class, Duration.ofSeconds(5)).partId());
  }

  /** A probe that plays the worker's executor, with the slots given, once the router uses it. */
  private static TestProbe<Executor.Command> playedExecutor(
      Node gateway, ActorRef<Router.Command> router, Node worker, int blockingSlots, int cpuSlots) {
    TestProbe<Executor.Command> played = TestProbe.create(worker.system);
    worker.system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, played.ref()));
    Executor.GetCapacity ask = played.expectMessageClass(Executor.GetCapacity.class, Duration.ofSeconds(10));
    ask.replyTo().tell(new Executor.Capacity(played.ref(), blockingSlots, cpuSlots));
    awaitStatus(gateway, router, STATUS_WAIT, "the capacity told", s -> takesWork(s, worker));
    return played;
  }

  private static Router.Submit primes(String partId, ActorRef<PartOutcome> replyTo) {
    return new Router.Submit(
        partId, "primes", JSON.objectNode().put("from", 0).put("to", 1000), org.taskgrid.core.task.Mode.PROCESS,
        20_000, replyTo);
  }

  @Test
  void aMemberThatLeavesGetsNoNewPartsWhileItIsStillListed() {
    Node gateway = cluster.gateway(TestCluster.CUTTABLE);
    Node leaving = cluster.worker(false, TestCluster.CUTTABLE);
    Node blocker = cluster.worker(false, TestCluster.CUTTABLE);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    startExecutor(leaving);
    awaitStatus(gateway, router, STATUS_WAIT, "the worker", s -> takesWork(s, leaving));
    // With a member unreachable the cluster cannot converge, so the leaving node stays Leaving,
    // and listed, for as long as the test needs.
    TestCluster.cutOff(gateway, blocker, true);
    try {
      org.taskgrid.core.Await.atMost(STATUS_WAIT, "the blocker unreachable")
          .until(
              () ->
              java.util.stream.StreamSupport.stream(
                      akka.cluster.typed.Cluster.get(gateway.system).state().getUnreachable().spliterator(), false)
                  .anyMatch(member -> member.address().equals(blocker.address)));
      akka.cluster.typed.Cluster.get(gateway.system)
          .manager()
          .tell(akka.cluster.typed.Leave.create(leaving.address));

      awaitStatus(
          gateway, router, STATUS_WAIT, "the leaving worker draining",
          status -> TestCluster.isIn(status, leaving, ExecutorState.DRAINING));
      router.tell(sleep("after-leave", 10, 10_000, client.ref()));
      PartFailed failed = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(5));
      assertEquals(Failure.NO_WORKERS, failed.failure(), failed::toString);
    } finally {
      TestCluster.cutOff(gateway, blocker, false);
    }
  }

  @Test
  void aWorkerThatDoesNotKnowTheTaskPassesItToOneThatDoes() {
    Node gateway = cluster.gateway("");
    Node other = cluster.worker(false);
    Node knows = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> played = TestProbe.create(other.system);
    PartProtocol.RunPart first =
        firstPartOnPlayed(gateway, router, other, played, sleep("classpath", 10, 20_000, client.ref()));
    startExecutor(knows);
    awaitStatus(gateway, router, STATUS_WAIT, "the worker that knows", s -> takesWork(s, knows));

    first.replyTo().tell(first.failed(other.name(), Failure.UNKNOWN_TASK, "no task is named 'sleep'"));

    assertSucceededOn(knows, 2, receiveOnce(client, 1, Duration.ofSeconds(10)).get("classpath"));
    client.expectNoMessage(NO_MORE);
  }

  @Test
  void whenTheLastWorkerIsLostTheWaitingPartsFailAtOnceToo() {
    Node gateway = cluster.gateway("");
    Node lost = cluster.worker(true);
    cluster.awaitAllUp();
    ActorRef<Router.Command> router = startRouter(gateway);
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    // A played executor that never tells its capacity: one part at a time, the next one waits.
    TestProbe<Executor.Command> played = TestProbe.create(lost.system);
    firstPartOnPlayed(gateway, router, lost, played, sleep("sent", 10, 60_000, client.ref()));
    router.tell(sleep("waiting", 10, 60_000, client.ref()));
    awaitStatus(
        gateway, router, STATUS_WAIT, "one part in flight",
        status -> executorOn(status, lost).inFlight() == 1);

    cluster.crash(lost);

    Map<String, PartOutcome> answers = receiveOnce(client, 2, Duration.ofSeconds(20));
    assertEquals(Failure.WORKER_LOST, ((PartFailed) answers.get("sent")).failure());
    assertEquals(Failure.NO_WORKERS, ((PartFailed) answers.get("waiting")).failure());
  }

  @Test
  void aRouterThatRestartsAfterABugAnswersThePartsItHeld() {
    Node gateway = cluster.gateway("");
    Node worker = cluster.worker(false);
    cluster.awaitAllUp();
    ActorRef<Executor.Command> local =
        gateway.testKit.spawn(
            Executor.create(
                org.taskgrid.core.task.TaskRegistry.load(gateway.system),
                org.taskgrid.core.execution.ExecutorSettings.fromConfig(gateway.config()),
                gateway.name()));
    // Supervised as the gateway supervises it.
    ActorRef<Router.Command> router =
        gateway.testKit.spawn(
            akka.actor.typed.javadsl.Behaviors.supervise(
                    Router.create(RouterSettings.fromConfig(gateway.config()), local))
                .onFailure(akka.actor.typed.SupervisorStrategy.restart()));
    TestProbe<PartOutcome> client = TestProbe.create(gateway.system);
    TestProbe<Executor.Command> played = TestProbe.create(worker.system);
    PartProtocol.RunPart first =
        firstPartOnPlayed(gateway, router, worker, played, sleep("held", 10, 60_000, client.ref()));

    // A cancel with no part id is a bug: the router throws, and restarts without its parts.
    router.tell(new Router.Cancel(null));

    PartFailed failed = client.expectMessageClass(PartFailed.class, Duration.ofSeconds(5));
    assertEquals("held", failed.partId());
    assertEquals(Failure.INTERNAL, failed.failure(), failed::toString);
    PartProtocol.CancelPart cancel =
        played.expectMessageClass(PartProtocol.CancelPart.class, Duration.ofSeconds(5));
    assertEquals(first.attempt(), cancel.upToAttempt());
  }

  private static void assertSucceededOn(Node node, int attempt, PartOutcome outcome) {
    assertInstanceOf(PartSucceeded.class, outcome, () -> String.valueOf(outcome));
    assertEquals(node.name(), outcome.node(), outcome::toString);
    assertEquals(attempt, outcome.attempt(), outcome::toString);
  }
}
