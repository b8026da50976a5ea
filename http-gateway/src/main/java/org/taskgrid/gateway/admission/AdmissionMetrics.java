package org.taskgrid.gateway.admission;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.taskgrid.core.metrics.NodeMetrics;
import org.taskgrid.core.task.Mode;

/**
 * Admission control's meters, per budget (tag {@code mode}: {@code async}, {@code thread},
 * {@code process}): {@code taskgrid.admission.in.flight} and {@code taskgrid.admission.queued},
 * gauges that read the {@link Admission}s (thread-safe), and {@code taskgrid.admission.refused},
 * a counter tagged {@code reason} and {@code mode}. Sum over {@code mode} for the gateway's total.
 */
public final class AdmissionMetrics {
  /** A call or job refused because as many wait as its budget lets: 503 overloaded. */
  public static final String QUEUE_FULL = "queue_full";

  private final MeterRegistry registry;

  private AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public static AdmissionMetrics of(ActorSystem<?> system) {
    return NodeMetrics.get(system).meters(AdmissionMetrics.class, AdmissionMetrics::new);
  }

  /** Reads the gateway's admission control from now on, one budget per mode. */
  public void watch(AdmissionControl control) {
    for (Mode mode : Mode.values()) {
      Admission budget = control.of(mode);
      Gauge.builder("taskgrid.admission.in.flight", budget, Admission::inFlight)
          .description("parts admitted and running")
          .tag("mode", mode.wireName())
          .strongReference(true)
          .register(registry);
      Gauge.builder("taskgrid.admission.queued", budget, Admission::queued)
          .description("calls and jobs waiting for a slot")
          .tag("mode", mode.wireName())
          .strongReference(true)
          .register(registry);
    }
  }

  public void refused(Mode mode, String reason) {
    Counter.builder("taskgrid.admission.refused")
        .description("calls and jobs refused by admission control")
        .tag("reason", reason)
        .tag("mode", mode.wireName())
        .register(registry)
        .increment();
  }
}
