package org.taskgrid.core.task;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** What a node gives a task: its settings and a timer that holds no thread. */
public interface TaskContext {

  /** The task's own settings: the config section {@code taskgrid.tasks.<name>}, empty if absent. */
  Config settings();

  /** Completes after the delay, without blocking or holding any thread while it waits. */
  CompletionStage<Void> after(Duration delay);
}
