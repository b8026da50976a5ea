package org.taskgrid.core.execution;

import com.typesafe.config.Config;
import java.util.EnumMap;
import java.util.Map;

/**
 * The {@code taskgrid.executor} section of the config, read once.
 *
 * @param slots how many parts each lane runs at once
 * @param maxQueued how many parts may wait for a slot in each lane; more are refused
 * @param maxRemoteResultBytes the largest result (in CBOR) sent to another node: Artery drops a
 *     larger message without a word, so such a result is answered as a failure instead
 */
public record ExecutorSettings(Map<Lane, Integer> slots, int maxQueued, long maxRemoteResultBytes) {

  /** Room in a message between nodes for what is not the result (ids, node, thread, address). */
  static final long ENVELOPE_ROOM_BYTES = 16 * 1024;

  /** With no limit on results (a single node: nothing crosses JVMs). */
  public ExecutorSettings(Map<Lane, Integer> slots, int maxQueued) {
    this(slots, maxQueued, Long.MAX_VALUE);
  }

  public ExecutorSettings {
    slots = Map.copyOf(slots);
    for (Lane lane : Lane.values()) {
      if (slots.getOrDefault(lane, 0) < 1) {
        throw new IllegalArgumentException("the " + lane + " lane needs at least one slot");
      }
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("max-queued must be >= 0");
    }
  }

  public static ExecutorSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.executor");
    Map<Lane, Integer> slots = new EnumMap<>(Lane.class);
    slots.put(Lane.BLOCKING, config.getInt("blocking-slots"));
    int cpuSlots = config.getInt("cpu-slots");
    slots.put(Lane.CPU, cpuSlots > 0 ? cpuSlots : Runtime.getRuntime().availableProcessors());
    slots.put(Lane.ASYNC, config.getInt("async-slots"));
    long frame =
        root.hasPath("akka.remote.artery.advanced.maximum-frame-size")
            ? root.getBytes("akka.remote.artery.advanced.maximum-frame-size")
            : Long.MAX_VALUE;
    return new ExecutorSettings(
        slots, config.getInt("max-queued"), Math.max(1, frame - ENVELOPE_ROOM_BYTES));
  }

  /** What this executor can run of {@code process} work at once: its blocking and CPU slots. */
  public int processCapacity() {
    return slots.get(Lane.BLOCKING) + slots.get(Lane.CPU);
  }
}
