package org.taskgrid.core.metrics;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.taskgrid.core.routing.ExecutorState;
import org.taskgrid.core.routing.Router;

/**
 * {@code taskgrid.router.executors}, tagged {@code state} ({@code active}, {@code unreachable},
 * {@code draining}): the executors as the router last described them ({@link Router.Status}).
 * Whoever asked the router updates the gauges; they only read, from any thread.
 */
public final class RouterGauges {
  private final Map<ExecutorState, AtomicInteger> executors = new EnumMap<>(ExecutorState.class);

  private RouterGauges(MeterRegistry registry) {
    // Every state has its series, also at zero.
    for (ExecutorState state : ExecutorState.values()) {
      AtomicInteger count = new AtomicInteger();
      Gauge.builder("taskgrid.router.executors", count, AtomicInteger::get)
          .description("executors the router sees, by state")
          .tag("state", state.wireName())
          .strongReference(true)
          .register(registry);
      executors.put(state, count);
    }
  }

  public static RouterGauges of(ActorSystem<?> system) {
    return NodeMetrics.get(system).meters(RouterGauges.class, RouterGauges::new);
  }

  public void update(Router.Status status) {
    executors.forEach(
        (state, count) ->
            count.set(
                (int) status.executors().stream().filter(executor -> executor.state() == state).count()));
  }
}
