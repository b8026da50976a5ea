package org.taskgrid.core.task.testing;

import com.fasterxml.jackson.databind.JsonNode;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/** A test-only task with a bug in how it describes itself: {@code cpuBound()} throws. */
public final class BuggyTask implements Task<JsonNode> {

  @Override
  public String name() {
    return "buggy";
  }

  @Override
  public String description() {
    return "Test only: cpuBound() throws.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.PROCESS;
  }

  @Override
  public boolean cpuBound() {
    throw new IllegalStateException("a bug in cpuBound()");
  }

  @Override
  public JsonNode parse(JsonNode input, TaskContext context) {
    return input;
  }

  @Override
  public JsonNode run(JsonNode input, TaskContext context) {
    return input;
  }
}
