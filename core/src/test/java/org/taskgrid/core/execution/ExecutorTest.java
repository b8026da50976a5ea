package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.assertJsonEquals;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
import org.taskgrid.core.task.builtin.SleepTask;

/** The executor with the default configuration: lanes, answers, failures. */
class ExecutorTest {
  private static final String SYSTEM = "ExecutorTest";
  private static final String NODE = "test-node";
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final long TIMEOUT = 10_000;

  private static final ActorTestKit testKit = ActorTestKit.create(SYSTEM);
  private static TaskRegistry registry;
  private ActorRef<Executor.Command> executor;
  private TestProbe<PartOutcome> probe;

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
    probe = testKit.createTestProbe();
  }

  private void run(String partId, String task, String input, Mode mode, int attempt) {
    executor.tell(new RunPart(partId, task, json(input), mode, TIMEOUT, attempt, probe.ref()));
  }

  private PartSucceeded expectSucceeded(String partId, int attempt) {
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, ANSWER);
    assertTrue(outcome instanceof PartSucceeded, () -> "expected success, got " + outcome);
    assertEquals(partId, outcome.partId());
    assertEquals(attempt, outcome.attempt());
    assertEquals(NODE, outcome.node());
    return (PartSucceeded) outcome;
  }

  private PartFailed expectFailed(String partId, int attempt, Failure failure) {
    PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, ANSWER);
    assertTrue(outcome instanceof PartFailed, () -> "expected a failure, got " + outcome);
    PartFailed failed = (PartFailed) outcome;
    assertEquals(partId, failed.partId());
    assertEquals(attempt, failed.attempt());
    assertEquals(NODE, failed.node());
    assertEquals(failure, failed.failure(), failed::message);
    assertTrue(failed.message() != null && !failed.message().isBlank(), "a message");
    return failed;
  }

  @Test
  void threadModeSleepsOnTheBlockingPool() {
    run("sleep-1", "sleep", "{'millis': 50}", Mode.THREAD, 1);
    PartSucceeded done = expectSucceeded("sleep-1", 1);
    assertJsonEquals("{'slept': 50}", done.result());
    assertTrue(done.thread().contains("taskgrid.dispatchers.blocking"), done.thread());
    assertTrue(done.millis() >= 50, "ran " + done.millis() + " ms");
  }

  @Test
  void cpuTasksInProcessModeRunOnTheCpuPool() {
    run("primes-1", "primes", "{'from': 0, 'to': 1000000}", Mode.PROCESS, 3);
    PartSucceeded primes = expectSucceeded("primes-1", 3);
    assertEquals(78498, primes.result().longValue());
    assertTrue(primes.thread().contains("taskgrid.dispatchers.cpu"), primes.thread());

    run("sha-1", "sha256", "{'text': 'abc'}", Mode.PROCESS, 1);
    PartSucceeded sha = expectSucceeded("sha-1", 1);
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        sha.result().textValue());
    assertTrue(sha.thread().contains("taskgrid.dispatchers.cpu"), sha.thread());

    run("wc-1", "wordcount", "{'text': 'a b A'}", Mode.PROCESS, 1);
    PartSucceeded wc = expectSucceeded("wc-1", 1);
    assertJsonEquals("{'words': 3, 'counts': {'a': 2, 'b': 1}}", wc.result());
    assertTrue(wc.thread().contains("taskgrid.dispatchers.cpu"), wc.thread());
  }

  @Test
  void blockingTasksInProcessModeAndCpuTasksInThreadModeRunOnTheBlockingPool() {
    run("sleep-p", "sleep", "{'millis': 1}", Mode.PROCESS, 1);
    assertTrue(expectSucceeded("sleep-p", 1).thread().contains("taskgrid.dispatchers.blocking"));

    run("echo-p", "echo", "{'x': 1}", Mode.PROCESS, 1);
    PartSucceeded echo = expectSucceeded("echo-p", 1);
    assertJsonEquals("{'x': 1}", echo.result());
    assertTrue(echo.thread().contains("taskgrid.dispatchers.blocking"), echo.thread());

    run("primes-t", "primes", "{'from': 0, 'to': 10}", Mode.THREAD, 2);
    PartSucceeded primes = expectSucceeded("primes-t", 2);
    assertEquals(4, primes.result().longValue());
    assertTrue(primes.thread().contains("taskgrid.dispatchers.blocking"), primes.thread());
  }

  @Test
  void asyncWorkHoldsNoThread() {
    run("sleep-a", "sleep", "{'millis': 100}", Mode.ASYNC, 1);
    PartSucceeded sleep = expectSucceeded("sleep-a", 1);
    assertJsonEquals("{'slept': 100}", sleep.result());
    assertEquals(PartProtocol.NO_THREAD, sleep.thread());
    assertTrue(sleep.millis() >= 90, "ran " + sleep.millis() + " ms");

    String input =
        "{'text': 'héllo 東京 🎉', 'nested': {'list': [1, [2, {'three': null}]], 'ok': true}}";
    run("echo-a", "echo", input, Mode.ASYNC, 4);
    PartSucceeded echo = expectSucceeded("echo-a", 4);
    assertEquals(json(input), echo.result());
    assertEquals(PartProtocol.NO_THREAD, echo.thread());
  }

  @Test
  void manyAsyncSleepsWaitTogetherWithoutHoldingPoolThreads() throws Exception {
    // The check below must be able to see a sleeping pool thread: prove it on a thread-mode sleep,
    // which answers another probe and whose thread the check then leaves out.
    TestProbe<PartOutcome> controlProbe = testKit.createTestProbe();
    executor.tell(
        new RunPart(
            "control",
            "sleep",
            json("{'millis': 4000}"),
            Mode.THREAD,
            10_000,
            1,
            controlProbe.ref()));
    List<String> busy =
        PoolThreads.await(() -> PoolThreads.sleepingIn(SYSTEM, SleepTask.class), 1, 10_000);
    assertEquals(1, busy.size(), "a thread-mode sleep is seen on the blocking pool: " + busy);
    assertTrue(busy.get(0).contains("taskgrid.dispatchers.blocking"), busy.get(0));
    String controlThread = busy.get(0);

    int parts = 200;
    long start = System.nanoTime();
    for (int i = 0; i < parts; i++) {
      run("async-" + i, "sleep", "{'millis': 200}", Mode.ASYNC, 1);
    }
    // While they wait, no thread of this system (taskgrid pools or default dispatcher) sleeps in
    // the sleep task.
    Set<String> sleepingThreads = new TreeSet<>();
    for (int look = 0; look < 10; look++) {
      PoolThreads.sleepingIn(SYSTEM, SleepTask.class).stream()
          .filter(name -> !name.equals(controlThread))
          .forEach(sleepingThreads::add);
      Thread.sleep(10);
    }
    Set<String> answered = new HashSet<>();
    for (PartOutcome outcome : probe.receiveSeveralMessages(parts, Duration.ofSeconds(10))) {
      assertTrue(outcome instanceof PartSucceeded, () -> "expected success, got " + outcome);
      PartSucceeded done = (PartSucceeded) outcome;
      assertEquals(PartProtocol.NO_THREAD, done.thread());
      assertJsonEquals("{'slept': 200}", done.result());
      answered.add(done.partId());
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(Set.of(), sleepingThreads, "threads sleeping for async parts");
    assertEquals(parts, answered.size(), "one answer per part");
    assertTrue(elapsedMillis < 10_000, "200 x 200 ms took " + elapsedMillis + " ms");
    // The control sleep ends by itself a little later, on one of 64 blocking threads.
  }

  @Test
  void unknownTask() {
    run("u-1", "no-such-task", "{}", Mode.THREAD, 2);
    PartFailed failed = expectFailed("u-1", 2, Failure.UNKNOWN_TASK);
    assertTrue(failed.message().contains("no-such-task"), failed.message());
    assertNull(failed.field());
  }

  @Test
  void cpuBoundTasksRefuseAsyncMode() {
    for (String task : List.of("primes", "sha256", "wordcount")) {
      run("m-" + task, task, "{'from': 0, 'to': 10, 'text': 'x'}", Mode.ASYNC, 1);
      PartFailed failed = expectFailed("m-" + task, 1, Failure.UNSUPPORTED_MODE);
      assertTrue(failed.message().contains("async"), failed.message());
      assertNull(failed.field());
    }
  }

  @Test
  void invalidInputNamesTheFieldInEveryLane() {
    run("i-thread", "sleep", "{'millis': -1}", Mode.THREAD, 1);
    assertEquals("millis", expectFailed("i-thread", 1, Failure.INVALID_INPUT).field());

    run("i-cpu", "primes", "{'from': 10, 'to': 5}", Mode.PROCESS, 2);
    assertEquals("to", expectFailed("i-cpu", 2, Failure.INVALID_INPUT).field());

    run("i-async", "sleep", "{'millis': 'soon'}", Mode.ASYNC, 3);
    assertEquals("millis", expectFailed("i-async", 3, Failure.INVALID_INPUT).field());

    run("i-rounds", "sha256", "{'text': 'abc', 'rounds': 0}", Mode.PROCESS, 1);
    assertEquals("rounds", expectFailed("i-rounds", 1, Failure.INVALID_INPUT).field());

    run("i-whole", "wordcount", "['not', 'an', 'object']", Mode.THREAD, 1);
    assertNull(expectFailed("i-whole", 1, Failure.INVALID_INPUT).field());
  }

  @Test
  void aTaskThatThrowsFailsInEveryLane() {
    run("f-thread", "fail", "{'message': 'boom in a thread'}", Mode.THREAD, 1);
    assertEquals("boom in a thread", expectFailed("f-thread", 1, Failure.TASK_FAILED).message());

    run("f-cpu", "fail", "{'message': 'boom on a core'}", Mode.PROCESS, 2);
    assertEquals("boom on a core", expectFailed("f-cpu", 2, Failure.TASK_FAILED).message());

    run("f-stage", "fail", "{'message': 'failed stage'}", Mode.ASYNC, 3);
    assertEquals("failed stage", expectFailed("f-stage", 3, Failure.TASK_FAILED).message());

    run("f-sync", "fail", "{'message': 'thrown by runAsync', 'synchronous': true}", Mode.ASYNC, 4);
    PartFailed sync = expectFailed("f-sync", 4, Failure.TASK_FAILED);
    assertEquals("thrown by runAsync", sync.message());
    assertNull(sync.field());

    run("f-nomessage", "fail", "{'message': ''}", Mode.THREAD, 5);
    assertEquals(
        IllegalStateException.class.getName(),
        expectFailed("f-nomessage", 5, Failure.TASK_FAILED).message());
  }

  @Test
  void theExecutorKeepsWorkingAfterFailures() {
    run("f", "fail", "{'message': 'x'}", Mode.THREAD, 1);
    expectFailed("f", 1, Failure.TASK_FAILED);
    run("f", "fail", "{'message': 'x'}", Mode.ASYNC, 1);
    expectFailed("f", 1, Failure.TASK_FAILED);
    run("ok", "echo", "{'still': 'alive'}", Mode.ASYNC, 1);
    assertJsonEquals("{'still': 'alive'}", expectSucceeded("ok", 1).result());
  }

  @Test
  void anExecutorThatRestartsAfterABugAnswersThePartsItHeld() {
    // Supervised as a worker and the gateway supervise it.
    ActorRef<Executor.Command> supervised =
        testKit.spawn(
            akka.actor.typed.javadsl.Behaviors.supervise(
                    Executor.create(
                        registry, ExecutorSettings.fromConfig(testKit.system().settings().config()), NODE))
                .onFailure(akka.actor.typed.SupervisorStrategy.restart()));
    supervised.tell(new RunPart("held", "sleep", json("{'millis': 60000}"), Mode.THREAD, 60_000, 1, probe.ref()));
    supervised.tell(new RunPart("waits", "hang", json("{}"), Mode.ASYNC, 60_000, 1, probe.ref()));
    // A capacity question with nowhere to answer is a bug: the executor throws and restarts.
    supervised.tell(new Executor.GetCapacity(null));

    Set<String> answered = new TreeSet<>();
    for (PartOutcome outcome : probe.receiveSeveralMessages(2, ANSWER)) {
      assertTrue(outcome instanceof PartFailed failed && failed.failure() == Failure.INTERNAL, outcome::toString);
      answered.add(outcome.partId());
    }
    assertEquals(Set.of("held", "waits"), answered);
    // The new incarnation works.
    supervised.tell(new RunPart("after", "echo", json("{}"), Mode.ASYNC, TIMEOUT, 1, probe.ref()));
    PartOutcome after = probe.expectMessageClass(PartOutcome.class, ANSWER);
    assertTrue(after instanceof PartSucceeded, after::toString);
  }

  @Test
  void aTaskWhoseOwnDescriptionThrowsFailsThePartNotTheExecutor() {
    run("buggy", "buggy", "{}", Mode.PROCESS, 1);
    expectFailed("buggy", 1, Failure.TASK_FAILED);
    run("ok", "echo", "{'still': 'alive'}", Mode.ASYNC, 1);
    assertJsonEquals("{'still': 'alive'}", expectSucceeded("ok", 1).result());
  }

  @Test
  void aTimedOutAsyncPartIsAnsweredOnceAsTimeout() {
    executor.tell(
        new RunPart("slow", "sleep", json("{'millis': 800}"), Mode.ASYNC, 100, 7, probe.ref()));
    PartFailed failed = expectFailed("slow", 7, Failure.TIMEOUT);
    assertNull(failed.field());
    // The sleep still ends later; the part must not be answered a second time.
    probe.expectNoMessage(Duration.ofMillis(1_200));
  }

  @Test
  void everyPartGetsItsOwnAnswer() {
    TestProbe<PartOutcome> other = testKit.createTestProbe();
    for (int i = 0; i < 20; i++) {
      ActorRef<PartOutcome> replyTo = i % 2 == 0 ? probe.ref() : other.ref();
      Mode mode = Mode.values()[i % 3];
      executor.tell(
          new RunPart("p" + i, "echo", json("{'i': " + i + "}"), mode, TIMEOUT, i + 1, replyTo));
    }
    for (TestProbe<PartOutcome> p : List.of(probe, other)) {
      List<PartOutcome> outcomes = p.receiveSeveralMessages(10, ANSWER);
      for (PartOutcome outcome : outcomes) {
        PartSucceeded done = (PartSucceeded) outcome;
        int i = done.attempt() - 1;
        assertEquals("p" + i, done.partId());
        assertEquals(i, done.result().get("i").intValue());
        assertEquals(p == probe, i % 2 == 0);
      }
      p.expectNoMessage(Duration.ofMillis(100));
    }
  }
}
