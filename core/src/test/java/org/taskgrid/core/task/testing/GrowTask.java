package org.taskgrid.core.task.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * A test-only task whose result is far larger than its input: {@code {"chars": n}} answers a
 * string of n characters. No built-in task grows its input that much.
 */
public final class GrowTask implements Task<Integer> {

  @Override
  public String name() {
    return "grow";
  }

  @Override
  public String description() {
    return "Test only: a result of the size asked for.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.PROCESS;
  }

  @Override
  public boolean cpuBound() {
    return false;
  }

  @Override
  public Integer parse(JsonNode input, TaskContext context) {
    return input.path("chars").asInt();
  }

  @Override
  public JsonNode run(Integer chars, TaskContext context) {
    return JsonNodeFactory.instance.textNode("x".repeat(chars));
  }
}
