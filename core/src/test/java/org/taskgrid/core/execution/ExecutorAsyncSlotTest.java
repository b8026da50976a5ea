package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.PartProtocol.CancelPart;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.core.task.testing.HangTask;

/**
 * An async part holds its slot only until it is answered: a stage that never completes, timed out
 * or cancelled, gives its slot back and stops holding up a drain. One async slot, so a leaked slot
 * shows at once.
 */
class ExecutorAsyncSlotTest {
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ExecutorAsyncSlotTest",
          ConfigFactory.load(
              ConfigFactory.parseString("taskgrid.executor.async-slots = 1")
                  .withFallback(ConfigFactory.defaultApplication())));

  private ActorRef<Executor.Command> executor;
  private TestProbe<PartOutcome> probe;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void spawnExecutor() {
    executor =
        testKit.spawn(
            Executor.create(
                TaskRegistry.load(testKit.system()),
                ExecutorSettings.fromConfig(testKit.system().settings().config()),
                "test-node"));
    probe = testKit.createTestProbe();
  }

  private void run(String partId, String task, long timeoutMillis) {
    executor.tell(new RunPart(partId, task, json("{'millis': 1}"), Mode.ASYNC, timeoutMillis, 1, probe.ref()));
  }

  private void expectFailed(String partId, Failure failure) {
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, PROMPTLY);
    assertTrue(outcome instanceof PartFailed failed && failed.failure() == failure, outcome::toString);
    assertEquals(partId, outcome.partId());
  }

  private void assertTheSlotIsFree() {
    run("next", "sleep", 10_000);
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, PROMPTLY);
    assertTrue(outcome instanceof PartSucceeded, () -> "the slot is still held: " + outcome);
    TestProbe<Executor.Drained> drained = testKit.createTestProbe();
    executor.tell(new Executor.Drain(drained.ref()));
    drained.expectMessage(PROMPTLY, Executor.Drained.INSTANCE);
  }

  private void sleep(String partId, long millis, long timeoutMillis, boolean timeoutFromStart) {
    executor.tell(
        new RunPart(
            partId, "sleep", json("{'millis': " + millis + "}"), Mode.ASYNC, timeoutMillis, 1,
            probe.ref(), timeoutFromStart));
  }

  @Test
  void aJobPartsTimeoutCountsFromItsStartNotFromItsWaitForASlot() {
    TestProbe<PartOutcome> first = testKit.createTestProbe();
    executor.tell(
        new RunPart("first", "sleep", json("{'millis': 1000}"), Mode.ASYNC, 10_000, 1, first.ref()));
    // Waits about 1 s for the slot, then runs 0.8 s: 1.8 s in all, each within its 1.5 s.
    sleep("second", 800, 1_500, true);

    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, Duration.ofSeconds(10));
    assertTrue(outcome instanceof PartSucceeded, outcome::toString);
    assertTrue(first.receiveMessage(PROMPTLY) instanceof PartSucceeded);
  }

  @Test
  void aJobPartWaitsForASlotLongerThanItsOwnTimeoutAndStillRuns() {
    // Its router sent it ahead (queue-ahead): it waits behind the part before it, however long.
    TestProbe<PartOutcome> first = testKit.createTestProbe();
    executor.tell(
        new RunPart("first", "sleep", json("{'millis': 1200}"), Mode.ASYNC, 10_000, 1, first.ref()));
    sleep("second", 100, 500, true);

    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, PROMPTLY);
    assertTrue(outcome instanceof PartSucceeded, outcome::toString);
    assertTrue(first.receiveMessage(PROMPTLY) instanceof PartSucceeded);
  }

  @Test
  void aDrainingExecutorHandsBackThePartsThatWaitAndFinishesThoseThatRun() {
    TestProbe<PartOutcome> first = testKit.createTestProbe();
    executor.tell(
        new RunPart("running", "sleep", json("{'millis': 800}"), Mode.ASYNC, 10_000, 1, first.ref()));
    sleep("waiting", 100, 10_000, true);
    TestProbe<Executor.Drained> drained = testKit.createTestProbe();
    executor.tell(new Executor.Drain(drained.ref()));

    // Refused as DRAINING at once (its router sends it elsewhere), not run after the other.
    expectFailed("waiting", Failure.DRAINING);
    drained.expectNoMessage(Duration.ofMillis(300));
    assertTrue(first.receiveMessage(PROMPTLY) instanceof PartSucceeded);
    drained.expectMessage(PROMPTLY, Executor.Drained.INSTANCE);
  }

  @Test
  void aCallsTimeoutCountsFromItsArrival() {
    TestProbe<PartOutcome> first = testKit.createTestProbe();
    executor.tell(
        new RunPart("first", "sleep", json("{'millis': 1000}"), Mode.ASYNC, 10_000, 1, first.ref()));
    sleep("second", 800, 1_500, false);

    expectFailed("second", Failure.TIMEOUT);
    assertTrue(first.receiveMessage(PROMPTLY) instanceof PartSucceeded);
  }

  @Test
  void aStageThatNeverCompletesGivesItsSlotBackAtItsTimeoutAndIsCancelled() {
    int before = HangTask.STAGES.size();
    run("hangs", "hang", 200);
    expectFailed("hangs", Failure.TIMEOUT);
    assertTheSlotIsFree();
    assertTrue(HangTask.STAGES.get(before).isCancelled(), "the task's stage was not cancelled");
  }

  @Test
  void aCancelledStageGivesItsSlotBack() {
    int before = HangTask.STAGES.size();
    run("hangs", "hang", 60_000);
    // The stage is made on another thread: cancel once it exists, so the test sees it cancelled.
    long deadline = System.nanoTime() + PROMPTLY.toNanos();
    while (HangTask.STAGES.size() == before && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    executor.tell(new CancelPart("hangs", 1));
    expectFailed("hangs", Failure.CANCELLED);
    assertTheSlotIsFree();
    assertTrue(HangTask.STAGES.get(before).isCancelled(), "the task's stage was not cancelled");
  }
}
