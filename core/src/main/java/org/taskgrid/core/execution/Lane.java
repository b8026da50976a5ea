package org.taskgrid.core.execution;

import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;

/**
 * The pool a part runs on. Each lane has slots of its own, so a flood of one kind of work (say,
 * blocking sleeps) cannot starve another: the bulkhead.
 */
public enum Lane {
  /** {@code taskgrid.dispatchers.blocking}: work that blocks its thread. */
  BLOCKING("taskgrid.dispatchers.blocking"),
  /** {@code taskgrid.dispatchers.cpu}: one thread a core, for work that keeps a core busy. */
  CPU("taskgrid.dispatchers.cpu"),
  /** No pool: a non-blocking stage started from the default dispatcher. */
  ASYNC(null);

  private final String dispatcher;

  Lane(String dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The config path of the dispatcher, or null for the async lane. */
  public String dispatcher() {
    return dispatcher;
  }

  public static Lane of(Mode mode, Task<?> task) {
    return switch (mode) {
      case THREAD -> BLOCKING;
      case ASYNC -> ASYNC;
      case PROCESS -> task.cpuBound() ? CPU : BLOCKING;
    };
  }
}
