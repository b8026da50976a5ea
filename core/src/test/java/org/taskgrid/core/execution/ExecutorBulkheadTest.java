package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.assertJsonEquals;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.core.task.builtin.Sha256Task;
import org.taskgrid.core.task.builtin.SleepTask;

/**
 * The executor with few slots: a full lane refuses more work but does not hold up the others, and
 * timed-out work gives its slot back.
 */
class ExecutorBulkheadTest {
  private static final String SYSTEM = "ExecutorBulkheadTest";
  private static final String NODE = "test-node";
  private static final int BLOCKING_SLOTS = 4;
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  /** Longer than any test here waits: a sleep this long must be interrupted to end in time. */
  private static final String LONG_SLEEP = "{'millis': 60000}";

  // ConfigFactory.load(overrides) resolves after merging, so the blocking dispatcher, sized by
  // ${taskgrid.executor.blocking-slots}, really has 4 threads (parseString(..).withFallback(load())
  // would keep the 64 resolved from reference.conf). The test application.conf is kept as well.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          SYSTEM,
          ConfigFactory.load(
              ConfigFactory.parseString(
                      "taskgrid.executor { blocking-slots = "
                          + BLOCKING_SLOTS
                          + ", cpu-slots = 1, max-queued = 2 }")
                  .withFallback(ConfigFactory.defaultApplication())));

  private static TaskRegistry registry;
  private ActorRef<Executor.Command> executor;

  @BeforeAll
  static void loadTasks() {
    registry = TaskRegistry.load(testKit.system());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void spawnExecutor() {
    executor =
        testKit.spawn(
            Executor.create(
                registry, ExecutorSettings.fromConfig(testKit.system().settings().config()), NODE));
  }

  private void run(
      String partId,
      String task,
      String input,
      Mode mode,
      long timeoutMillis,
      TestProbe<PartOutcome> probe) {
    executor.tell(new RunPart(partId, task, json(input), mode, timeoutMillis, 1, probe.ref()));
  }

  private static PartSucceeded expectSucceeded(TestProbe<PartOutcome> probe, String partId) {
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, PROMPTLY);
    assertTrue(outcome instanceof PartSucceeded, () -> "expected success, got " + outcome);
    assertEquals(partId, outcome.partId());
    return (PartSucceeded) outcome;
  }

  private static PartFailed expectFailed(
      TestProbe<PartOutcome> probe, String partId, Failure failure) {
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, PROMPTLY);
    assertTrue(outcome instanceof PartFailed, () -> "expected a failure, got " + outcome);
    assertEquals(partId, outcome.partId());
    assertEquals(NODE, outcome.node());
    assertEquals(failure, ((PartFailed) outcome).failure(), ((PartFailed) outcome)::message);
    return (PartFailed) outcome;
  }

  /** After a test, every blocking slot must be usable again: short sleeps all run at once. */
  private void assertAllBlockingSlotsFree() throws InterruptedException {
    assertEquals(
        List.of(),
        PoolThreads.await(() -> PoolThreads.sleepingIn(SYSTEM, SleepTask.class), 0, 5_000));
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    for (int i = 0; i < BLOCKING_SLOTS; i++) {
      run("after-" + i, "sleep", "{'millis': 10}", Mode.THREAD, 10_000, probe);
    }
    Set<String> done = new TreeSet<>();
    for (PartOutcome outcome :
        probe.receiveSeveralMessages(BLOCKING_SLOTS, Duration.ofSeconds(10))) {
      assertTrue(outcome instanceof PartSucceeded, () -> "expected success, got " + outcome);
      done.add(outcome.partId());
    }
    assertEquals(BLOCKING_SLOTS, done.size());
  }

  @Test
  void aFullBlockingLaneRefusesMoreWorkWhileTheOtherLanesStillAnswer() throws Exception {
    TestProbe<PartOutcome> fillers = testKit.createTestProbe();
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    // Long enough for the checks below on a loaded machine; the last check proves they fit in it.
    long fillerTimeout = 5_000;

    // Every blocking slot sleeps, on every thread of the blocking pool...
    for (int i = 0; i < BLOCKING_SLOTS; i++) {
      run("running-" + i, "sleep", LONG_SLEEP, Mode.THREAD, fillerTimeout, fillers);
    }
    List<String> sleeping =
        PoolThreads.await(
            () -> PoolThreads.sleepingIn(SYSTEM, SleepTask.class), BLOCKING_SLOTS, 10_000);
    assertEquals(BLOCKING_SLOTS, sleeping.size(), "sleeping pool threads: " + sleeping);
    assertTrue(sleeping.stream().allMatch(name -> name.contains("taskgrid.dispatchers.blocking")));

    // ... and the queue fills. A queued part that times out leaves the queue (and never runs).
    TestProbe<PartOutcome> shortWait = testKit.createTestProbe();
    run("queued-short", "sleep", LONG_SLEEP, Mode.THREAD, 200, shortWait);
    run("queued-long", "sleep", LONG_SLEEP, Mode.THREAD, fillerTimeout, fillers);
    expectFailed(shortWait, "queued-short", Failure.TIMEOUT);
    run("queued-late", "sleep", LONG_SLEEP, Mode.THREAD, fillerTimeout, fillers);

    // Slots and queue are full: the blocking lane says so at once, in thread and process mode.
    run("one-too-many", "sleep", "{'millis': 1}", Mode.THREAD, 10_000, probe);
    PartFailed overloaded = expectFailed(probe, "one-too-many", Failure.OVERLOADED);
    assertTrue(overloaded.message().contains("BLOCKING"), overloaded.message());
    run("process-sleep", "sleep", "{'millis': 1}", Mode.PROCESS, 10_000, probe);
    expectFailed(probe, "process-sleep", Failure.OVERLOADED);

    // The other lanes do not wait for the blocking one.
    run("echo", "echo", "{'still': 'here'}", Mode.ASYNC, 10_000, probe);
    PartSucceeded echo = expectSucceeded(probe, "echo");
    assertJsonEquals("{'still': 'here'}", echo.result());
    assertEquals(PartProtocol.NO_THREAD, echo.thread());
    run("primes", "primes", "{'from': 0, 'to': 100000}", Mode.PROCESS, 10_000, probe);
    PartSucceeded primes = expectSucceeded(probe, "primes");
    assertEquals(9592, primes.result().longValue());
    assertTrue(primes.thread().contains("taskgrid.dispatchers.cpu"), primes.thread());
    run("async-sleep", "sleep", "{'millis': 20}", Mode.ASYNC, 10_000, probe);
    assertJsonEquals("{'slept': 20}", expectSucceeded(probe, "async-sleep").result());

    // Still full: the checks above really ran while every blocking slot was taken.
    run("still-too-many", "sleep", "{'millis': 1}", Mode.THREAD, 10_000, probe);
    expectFailed(probe, "still-too-many", Failure.OVERLOADED);

    // Every filler, running or queued, is answered exactly once, as a timeout.
    Set<String> timedOut = new TreeSet<>();
    for (PartOutcome outcome : fillers.receiveSeveralMessages(6, Duration.ofSeconds(20))) {
      assertTrue(
          outcome instanceof PartFailed failed && failed.failure() == Failure.TIMEOUT,
          () -> "expected a timeout, got " + outcome);
      timedOut.add(outcome.partId());
    }
    assertEquals(
        Set.of("running-0", "running-1", "running-2", "running-3", "queued-long", "queued-late"),
        timedOut);
    fillers.expectNoMessage(Duration.ofMillis(300));
    shortWait.expectNoMessage(Duration.ofMillis(10));
    probe.expectNoMessage(Duration.ofMillis(10));

    // The timed-out sleeps were interrupted: their slots serve new work long before 60 s.
    assertAllBlockingSlotsFree();
  }

  @Test
  void aTimedOutThreadSleepIsInterruptedAnsweredOnceAndGivesItsSlotBack() throws Exception {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    for (int i = 0; i < BLOCKING_SLOTS; i++) {
      run("slow-" + i, "sleep", LONG_SLEEP, Mode.THREAD, 300, probe);
    }
    for (PartOutcome outcome :
        probe.receiveSeveralMessages(BLOCKING_SLOTS, Duration.ofSeconds(10))) {
      assertTrue(
          outcome instanceof PartFailed failed && failed.failure() == Failure.TIMEOUT,
          () -> "expected a timeout, got " + outcome);
      assertTrue(
          ((PartFailed) outcome).message().contains("300 ms"), ((PartFailed) outcome).message());
    }
    // The interrupted sleeps end at once; their end must not produce a second answer.
    probe.expectNoMessage(Duration.ofMillis(300));
    assertAllBlockingSlotsFree();
  }

  @Test
  void timedOutCpuWorkIsInterruptedAndGivesItsSlotBack() throws Exception {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    // 10^8 rounds keep a core busy for many seconds unless interrupted.
    run("long-hash", "sha256", "{'text': 'abc', 'rounds': 100000000}", Mode.PROCESS, 300, probe);
    expectFailed(probe, "long-hash", Failure.TIMEOUT);
    probe.expectNoMessage(Duration.ofMillis(200));
    assertEquals(
        List.of(), PoolThreads.await(() -> PoolThreads.busyIn(SYSTEM, Sha256Task.class), 0, 5_000));

    // The one CPU slot is free again.
    run("short-hash", "sha256", "{'text': 'abc'}", Mode.PROCESS, 10_000, probe);
    PartSucceeded done = expectSucceeded(probe, "short-hash");
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        done.result().textValue());
  }
}
