package org.taskgrid.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.json;
import static org.taskgrid.core.task.TaskAssertions.assertRefused;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {
  /** Task settings come from the system's config: override some to see them reach the tasks. */
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "TaskRegistryTest",
          ConfigFactory.parseString(
                  "taskgrid.tasks.sleep.max = 100ms\n"
                      + "taskgrid.tasks.primes.max-range = 1000\n"
                      + "taskgrid.tasks.sha256.max-rounds = 3\n")
              .withFallback(ConfigFactory.load()));

  private static TaskRegistry registry;

  @BeforeAll
  static void load() {
    registry = TaskRegistry.load(testKit.system());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void findsEveryBuiltInTaskAndTheTestTasksSortedByName() {
    List<String> names = registry.all().stream().map(RegisteredTask::name).toList();
    assertEquals(
        List.of("buggy", "echo", "fail", "grow", "hang", "primes", "sha256", "sleep", "wordcount"), names);
  }

  @Test
  void findsByExactNameOnly() {
    assertEquals("primes", registry.find("primes").orElseThrow().name());
    assertTrue(registry.find("nope").isEmpty());
    assertTrue(registry.find("Primes").isEmpty());
    assertTrue(registry.find("").isEmpty());
  }

  @Test
  void builtInTasksDeclareTheModesOfTheArchitecture() {
    Map<String, Mode> defaults =
        Map.of(
            "echo", Mode.ASYNC,
            "sleep", Mode.THREAD,
            "primes", Mode.PROCESS,
            "sha256", Mode.PROCESS,
            "wordcount", Mode.PROCESS);
    defaults.forEach(
        (name, mode) -> {
          Task<?> task = registry.find(name).orElseThrow().task();
          assertEquals(mode, task.defaultMode(), name);
          assertTrue(task.modes().contains(task.defaultMode()), name);
          assertTrue(task.modes().containsAll(EnumSet.of(Mode.THREAD, Mode.PROCESS)), name);
          boolean async = name.equals("echo") || name.equals("sleep");
          assertEquals(async, task.modes().contains(Mode.ASYNC), name + " async");
          assertEquals(!async, task.cpuBound(), name + " cpu-bound");
          boolean splittable = name.equals("primes") || name.equals("wordcount");
          assertEquals(splittable, task.splittable(), name + " splittable");
          assertFalse(task.description().isBlank(), name);
        });
  }

  @Test
  void eachTaskGetsItsOwnConfigSection() {
    assertEquals(
        1000, registry.find("primes").orElseThrow().context().settings().getLong("max-range"));
    assertEquals(
        testKit.system().settings().config().getLong("taskgrid.tasks.primes.max-to"),
        registry.find("primes").orElseThrow().context().settings().getLong("max-to"));
    assertTrue(registry.find("echo").orElseThrow().context().settings().isEmpty());
  }

  @Test
  void configuredLimitsAreEnforced() throws Exception {
    RegisteredTask<?> sleep = registry.find("sleep").orElseThrow();
    sleep.validate(json("{'millis': 100}"));
    assertRefused(sleep, json("{'millis': 101}"), "millis");

    RegisteredTask<?> primes = registry.find("primes").orElseThrow();
    assertEquals(168, primes.run(json("{'from': 0, 'to': 1000}")).longValue());
    assertRefused(primes, json("{'from': 0, 'to': 1001}"), "to");

    RegisteredTask<?> sha256 = registry.find("sha256").orElseThrow();
    sha256.validate(json("{'text': 'a', 'rounds': 3}"));
    assertRefused(sha256, json("{'text': 'a', 'rounds': 4}"), "rounds");
  }

  @Test
  void contextTimerCompletesAfterTheDelay() throws Exception {
    TaskContext context = registry.find("sleep").orElseThrow().context();
    long start = System.nanoTime();
    context.after(java.time.Duration.ofMillis(100)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMillis >= 90, "completed after " + elapsedMillis + " ms");
  }
}
