package org.taskgrid.core.task;

import java.util.Locale;
import java.util.Optional;

/** How a task is run: the three classic answers to concurrency. */
public enum Mode {
  /** On a bounded, dedicated pool of threads on the node that received it: for blocking calls. */
  THREAD,
  /** On a node with the {@code worker} role, on the pool that suits the task: placement. */
  PROCESS,
  /** Without a thread of its own: a non-blocking {@code CompletionStage}. */
  ASYNC;

  /** The name used on the wire and in the HTTP API. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Mode> fromWireName(String name) {
    for (Mode mode : values()) {
      if (mode.wireName().equals(name)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
