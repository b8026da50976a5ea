package org.taskgrid.core.metrics;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The meters of one node (one actor system), in one place: taskgrid's own meters and, from the
 * first {@link #export export} on, Micrometer's JVM binders (memory, GC, threads, class loading,
 * CPU, uptime). Nothing is exported until the node exports it, e.g. to the Prometheus registry
 * behind {@code GET /metrics}; until then every meter costs next to nothing (tests, nodes with
 * metrics off). Every component reaches its meters through {@code NodeMetrics.get(system)}, so an actor
 * that restarts finds the same meters again instead of registering new ones.
 */
public final class NodeMetrics implements Extension {
  private static final ExtensionId<NodeMetrics> ID =
      new ExtensionId<>() {
        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
          return new NodeMetrics(system);
        }
      };

  private final ActorSystem<?> system;
  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Map<Class<?>, Object> meters = new ConcurrentHashMap<>();
  private boolean jvmBound;

  private NodeMetrics(ActorSystem<?> system) {
    this.system = system;
  }

  /** Micrometer's JVM binders, once, on the first export: nobody reads them before. */
  private void bindJvm() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    // The GC binder listens to the JVM's collectors: let go of them with the node.
    system.getWhenTerminated().thenRun(gc::close);
  }

  public static NodeMetrics get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** Where components register their meters. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * Every meter, those registered so far and those to come, also goes to {@code exporter}. Export
   * before the node starts its actors, so that the exporter sees every recording.
   */
  public synchronized void export(MeterRegistry exporter) {
    registry.add(exporter);
    if (!jvmBound) {
      jvmBound = true;
      bindJvm();
    }
  }

  /**
   * The one instance of a group of meters on this node ({@link LaneGauges}, {@link PartMetrics},
   * ...), made with {@code factory} the first time it is asked for.
   */
  public <T> T meters(Class<T> type, Function<MeterRegistry, T> factory) {
    return type.cast(meters.computeIfAbsent(type, key -> factory.apply(registry)));
  }
}
