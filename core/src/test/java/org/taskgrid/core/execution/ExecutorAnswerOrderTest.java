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
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.TaskRegistry;

/**
 * A part is answered from the thread its work ended on, not from the executor: still, a part sent
 * once the answer arrived finds the slot free. With one slot per lane and no queue, each of many
 * back-to-back parts succeeds; none is refused as overloaded by a slot the executor has not freed.
 */
class ExecutorAnswerOrderTest {
  private static final int PARTS = 300;
  private static final Duration ANSWER = Duration.ofSeconds(10);

  // ConfigFactory.load(overrides) resolves after merging, so the blocking dispatcher has 1 thread.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ExecutorAnswerOrderTest",
          ConfigFactory.load(
              ConfigFactory.parseString(
                      "taskgrid.executor { blocking-slots = 1, cpu-slots = 1, async-slots = 1,"
                          + " max-queued = 0 }")
                  .withFallback(ConfigFactory.defaultApplication())));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aThreadPartSentAfterTheAnswerFindsTheSlotFree() {
    assertBackToBackPartsSucceed(Mode.THREAD);
  }

  @Test
  void anAsyncPartSentAfterTheAnswerFindsTheSlotFree() {
    assertBackToBackPartsSucceed(Mode.ASYNC);
  }

  private void assertBackToBackPartsSucceed(Mode mode) {
    TaskRegistry registry = TaskRegistry.load(testKit.system());
    ActorRef<Executor.Command> executor =
        testKit.spawn(
            Executor.create(
                registry, ExecutorSettings.fromConfig(testKit.system().settings().config()), "test-node"));
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    for (int i = 0; i < PARTS; i++) {
      String partId = mode.wireName() + "-" + i;
      executor.tell(new RunPart(partId, "echo", json("{'i': " + i + "}"), mode, 10_000, 1, probe.ref()));
      PartOutcome outcome = probe.expectMessageClass(PartOutcome.class, ANSWER);
      assertTrue(outcome instanceof PartSucceeded, () -> "part " + partId + ": " + outcome);
      assertEquals(partId, outcome.partId());
    }
    probe.expectNoMessage(Duration.ofMillis(100));
  }
}
