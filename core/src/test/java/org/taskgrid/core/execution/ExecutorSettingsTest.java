package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.builtin.EchoTask;
import org.taskgrid.core.task.builtin.PrimesTask;
import org.taskgrid.core.task.builtin.SleepTask;

class ExecutorSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.load(ConfigFactory.parseString(overrides));
  }

  @Test
  void readsTheDefaults() {
    ExecutorSettings settings = ExecutorSettings.fromConfig(ConfigFactory.load());
    assertEquals(64, settings.slots().get(Lane.BLOCKING));
    assertEquals(Runtime.getRuntime().availableProcessors(), settings.slots().get(Lane.CPU));
    assertEquals(10_000, settings.slots().get(Lane.ASYNC));
    assertEquals(10_000, settings.maxQueued());
    assertEquals(64 + Runtime.getRuntime().availableProcessors(), settings.processCapacity());
  }

  @Test
  void readsOverrides() {
    ExecutorSettings settings =
        ExecutorSettings.fromConfig(
            config(
                "taskgrid.executor { blocking-slots = 3, cpu-slots = 5, async-slots = 7, max-queued"
                    + " = 0 }"));
    assertEquals(Map.of(Lane.BLOCKING, 3, Lane.CPU, 5, Lane.ASYNC, 7), settings.slots());
    assertEquals(0, settings.maxQueued());
    assertEquals(8, settings.processCapacity());
  }

  @Test
  void theBlockingPoolFollowsBlockingSlots() {
    // reference.conf sizes the blocking dispatcher from blocking-slots: overriding one moves both.
    assertEquals(
        3,
        config("taskgrid.executor.blocking-slots = 3")
            .getInt("taskgrid.dispatchers.blocking.thread-pool-executor.fixed-pool-size"));
  }

  @Test
  void refusesALaneWithoutSlotsAndANegativeQueue() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ExecutorSettings.fromConfig(config("taskgrid.executor.blocking-slots = 0")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ExecutorSettings.fromConfig(config("taskgrid.executor.async-slots = 0")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ExecutorSettings.fromConfig(config("taskgrid.executor.max-queued = -1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ExecutorSettings(Map.of(Lane.BLOCKING, 1, Lane.ASYNC, 1), 0));
  }

  @Test
  void keepsItsOwnCopyOfTheSlots() {
    Map<Lane, Integer> slots = new HashMap<>(Map.of(Lane.BLOCKING, 1, Lane.CPU, 1, Lane.ASYNC, 1));
    ExecutorSettings settings = new ExecutorSettings(slots, 0);
    slots.put(Lane.BLOCKING, 99);
    assertEquals(1, settings.slots().get(Lane.BLOCKING));
    assertThrows(UnsupportedOperationException.class, () -> settings.slots().put(Lane.CPU, 2));
  }

  @Test
  void lanesFollowModeAndTask() {
    assertEquals(Lane.BLOCKING, Lane.of(Mode.THREAD, new PrimesTask()));
    assertEquals(Lane.CPU, Lane.of(Mode.PROCESS, new PrimesTask()));
    assertEquals(Lane.BLOCKING, Lane.of(Mode.PROCESS, new SleepTask()));
    assertEquals(Lane.ASYNC, Lane.of(Mode.ASYNC, new EchoTask()));
    assertEquals("taskgrid.dispatchers.blocking", Lane.BLOCKING.dispatcher());
    assertEquals("taskgrid.dispatchers.cpu", Lane.CPU.dispatcher());
  }
}
