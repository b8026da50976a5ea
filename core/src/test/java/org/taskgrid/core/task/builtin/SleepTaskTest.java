package org.taskgrid.core.task.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.assertJsonEquals;
import static org.taskgrid.core.TestJson.json;
import static org.taskgrid.core.task.TaskAssertions.assertRefused;
import static org.taskgrid.core.task.TaskAssertions.assertRefusedAsAWhole;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

class SleepTaskTest {
  private static final ActorTestKit testKit = ActorTestKit.create("SleepTaskTest");
  private static RegisteredTask<?> sleep;
  private static long maxMillis;

  @BeforeAll
  static void loadTask() {
    sleep = TaskRegistry.load(testKit.system()).find("sleep").orElseThrow();
    maxMillis =
        testKit.system().settings().config().getDuration("taskgrid.tasks.sleep.max").toMillis();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static JsonNode millis(long millis) {
    return JsonNodeFactory.instance.objectNode().put("millis", millis);
  }

  @Test
  void blockingSleepWaitsAndReportsHowLong() throws Exception {
    long start = System.nanoTime();
    JsonNode result = sleep.run(millis(50));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertJsonEquals("{'slept': 50}", result);
    assertTrue(elapsedMillis >= 50, "slept only " + elapsedMillis + " ms");
  }

  @Test
  void zeroMillisIsAllowed() throws Exception {
    assertJsonEquals("{'slept': 0}", sleep.run(millis(0)));
    assertJsonEquals(
        "{'slept': 0}", sleep.runAsync(millis(0)).toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void asyncSleepReturnsAtOnceAndCompletesLater() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<JsonNode> done = sleep.runAsync(millis(300)).toCompletableFuture();
    boolean doneAtOnce = done.isDone();
    long returnedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (returnedAfterMillis < 250) {
      // Checked only when this thread was not descheduled for the whole delay (a loaded machine).
      assertFalse(doneAtOnce, "runAsync waited for the delay before returning");
    }
    JsonNode result = done.get(5, TimeUnit.SECONDS);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertJsonEquals("{'slept': 300}", result);
    assertTrue(elapsedMillis >= 290, "completed after only " + elapsedMillis + " ms");
  }

  @Test
  void blockingSleepGivesUpWhenInterrupted() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread sleeper =
        new Thread(
            () -> {
              try {
                sleep.run(millis(maxMillis));
              } catch (Throwable t) {
                thrown.set(t);
              }
            });
    sleeper.start();
    Thread.sleep(50);
    sleeper.interrupt();
    sleeper.join(5_000);
    assertFalse(sleeper.isAlive(), "still sleeping after an interrupt");
    assertTrue(thrown.get() instanceof InterruptedException, "threw " + thrown.get());
  }

  @Test
  void refusesMissingMillis() {
    assertRefused(sleep, json("{}"), "millis");
    assertRefused(sleep, json("{'millis': null}"), "millis");
  }

  @Test
  void refusesFieldsItDoesNotKnowByName() {
    // A typo is named, not taken for a missing field; a pad nobody reads cannot pin memory.
    assertRefused(sleep, json("{'ms': 100}"), "ms");
    assertRefused(sleep, json("{'millis': 100, 'pad': [[], [], []]}"), "pad");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "-1",
        "'100'",
        "1.5",
        "100.0",
        "true",
        "[100]",
        "{'n': 1}",
        "99999999999999999999"
      })
  void refusesBadMillis(String value) {
    assertRefused(sleep, json("{'millis': " + value + "}"), "millis");
  }

  @Test
  void refusesMoreThanTheConfiguredMaximum() throws Exception {
    assertRefused(sleep, millis(maxMillis + 1), "millis");
    assertRefused(sleep, millis(Long.MAX_VALUE), "millis");
    sleep.validate(millis(maxMillis));
    // The refusal comes before any waiting, in async mode too.
    assertThrows(
        org.taskgrid.core.task.InvalidInputException.class, () -> sleep.runAsync(millis(-5)));
  }

  @Test
  void refusesInputThatIsNotAnObject() {
    assertRefusedAsAWhole(sleep, json("[100]"));
    assertRefusedAsAWhole(sleep, json("'100'"));
    assertRefusedAsAWhole(sleep, json("100"));
    assertRefusedAsAWhole(sleep, NullNode.getInstance());
    assertRefusedAsAWhole(sleep, null);
  }

  @Test
  void runsInEveryModeAndIsNotCpuBound() {
    assertEquals(java.util.EnumSet.allOf(Mode.class), sleep.task().modes());
    assertEquals(Mode.THREAD, sleep.task().defaultMode());
    assertFalse(sleep.task().cpuBound());
  }
}
