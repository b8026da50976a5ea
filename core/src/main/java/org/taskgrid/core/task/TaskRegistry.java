package org.taskgrid.core.task;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** The tasks this node knows: every {@link Task} on the classpath, found with ServiceLoader. */
public final class TaskRegistry {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private final Map<String, RegisteredTask<?>> byName;

  private TaskRegistry(Map<String, RegisteredTask<?>> byName) {
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Loads the tasks with the system's class loader, their settings from its config. */
  public static TaskRegistry load(ActorSystem<?> system) {
    Config tasksConfig = system.settings().config().getConfig("taskgrid.tasks");
    Map<String, RegisteredTask<?>> byName = new TreeMap<>();
    @SuppressWarnings("rawtypes")
    ServiceLoader<Task> loader = ServiceLoader.load(Task.class, system.dynamicAccess().classLoader());
    for (Task<?> task : loader) {
      String name = task.name();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalStateException(
            "task " + task.getClass().getName() + " has an invalid name: '" + name + "'");
      }
      RegisteredTask<?> previous = byName.put(name, register(task, context(system, tasksConfig, name)));
      if (previous != null) {
        throw new IllegalStateException(
            "two tasks are named '" + name + "': " + previous.task().getClass().getName()
                + " and " + task.getClass().getName());
      }
    }
    return new TaskRegistry(byName);
  }

  public Optional<RegisteredTask<?>> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Every task, sorted by name. */
  public Collection<RegisteredTask<?>> all() {
    return byName.values();
  }

  private static <I> RegisteredTask<I> register(Task<I> task, TaskContext context) {
    return new RegisteredTask<>(task, context);
  }

  private static TaskContext context(ActorSystem<?> system, Config tasksConfig, String name) {
    Config settings =
        tasksConfig.hasPath(name) ? tasksConfig.getConfig(name) : ConfigFactory.empty();
    return new TaskContext() {
      @Override
      public Config settings() {
        return settings;
      }

      @Override
      public CompletionStage<Void> after(Duration delay) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        system.scheduler().scheduleOnce(delay, () -> done.complete(null), system.executionContext());
        return done;
      }
    };
  }
}
