package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.taskgrid.core.metrics.NodeMetrics;

/**
 * The jobs of this gateway: {@code taskgrid.jobs.running}, a gauge of a copy the
 * {@link JobManager} writes, and {@code taskgrid.jobs.finished}, a counter tagged {@code state}.
 * With the job store on, {@code taskgrid.jobs.store.flushes} counts the journal's writes (each one
 * round of statements, whatever it holds) and {@code taskgrid.jobs.store.parts} the part results
 * they carried: their ratio is what batching saves.
 */
public final class JobMetrics {
  private final MeterRegistry registry;
  private final AtomicInteger running = new AtomicInteger();

  private JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("taskgrid.jobs.running", running, AtomicInteger::get)
        .description("jobs running on this gateway")
        .strongReference(true)
        .register(registry);
  }

  public static JobMetrics of(ActorSystem<?> system) {
    return NodeMetrics.get(system).meters(JobMetrics.class, JobMetrics::new);
  }

  public void running(int jobs) {
    running.set(jobs);
  }

  /** The journal wrote one batch of {@code parts} part results. */
  public void flushed(int parts) {
    Counter.builder("taskgrid.jobs.store.flushes")
        .description("writes of job progress to the job store")
        .register(registry)
        .increment();
    Counter.builder("taskgrid.jobs.store.parts")
        .description("part results written to the job store")
        .register(registry)
        .increment(parts);
  }

  public void finished(JobState state) {
    Counter.builder("taskgrid.jobs.finished")
        .description("jobs finished, by their final state")
        .tag("state", state.wireName())
        .register(registry)
        .increment();
  }
}
