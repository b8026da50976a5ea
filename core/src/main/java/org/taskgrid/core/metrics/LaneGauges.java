package org.taskgrid.core.metrics;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.taskgrid.core.execution.Lane;

/**
 * The load of this node's executor per lane: {@code taskgrid.executor.running},
 * {@code taskgrid.executor.queued} and {@code taskgrid.executor.slots}, tagged {@code lane}. The
 * executor writes the numbers after each change; the gauges only read them, from any thread.
 * And {@code taskgrid.executor.finished}, a counter of the parts whose work ended on this node
 * (whatever their answer was), tagged {@code lane}: the work a worker did.
 */
public final class LaneGauges {
  private final Map<Lane, AtomicInteger> running = new EnumMap<>(Lane.class);
  private final Map<Lane, AtomicInteger> queued = new EnumMap<>(Lane.class);
  private final Map<Lane, AtomicInteger> slots = new EnumMap<>(Lane.class);
  private final Map<Lane, Counter> finished = new EnumMap<>(Lane.class);

  private LaneGauges(MeterRegistry registry) {
    for (Lane lane : Lane.values()) {
      running.put(lane, gauge(registry, "taskgrid.executor.running", "parts running now", lane));
      queued.put(lane, gauge(registry, "taskgrid.executor.queued", "parts waiting for a slot", lane));
      slots.put(lane, gauge(registry, "taskgrid.executor.slots", "parts the lane runs at once", lane));
      finished.put(
          lane,
          Counter.builder("taskgrid.executor.finished")
              .description("parts whose work ended on this node")
              .tag("lane", tag(lane))
              .register(registry));
    }
  }

  public static LaneGauges of(ActorSystem<?> system) {
    return NodeMetrics.get(system).meters(LaneGauges.class, LaneGauges::new);
  }

  /** What the lane runs and holds now. */
  public void update(Lane lane, int runningNow, int queuedNow) {
    running.get(lane).set(runningNow);
    queued.get(lane).set(queuedNow);
  }

  /** The work of a part of the lane ended (its thread, or its stage, returned). */
  public void finished(Lane lane) {
    finished.get(lane).increment();
  }

  public void slots(Map<Lane, Integer> slotsPerLane) {
    slotsPerLane.forEach((lane, count) -> slots.get(lane).set(count));
  }

  private static AtomicInteger gauge(
      MeterRegistry registry, String name, String description, Lane lane) {
    AtomicInteger value = new AtomicInteger();
    Gauge.builder(name, value, AtomicInteger::get)
        .description(description)
        .tag("lane", tag(lane))
        .strongReference(true)
        .register(registry);
    return value;
  }

  private static String tag(Lane lane) {
    return lane.name().toLowerCase(Locale.ROOT);
  }
}
