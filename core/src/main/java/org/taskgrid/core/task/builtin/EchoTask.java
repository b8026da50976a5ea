package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/** Answers its input unchanged: the smallest possible unit of work, for round-trip measurements. */
public final class EchoTask implements Task<JsonNode> {

  @Override
  public String name() {
    return "echo";
  }

  @Override
  public String description() {
    return "Returns its input unchanged.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.ASYNC;
  }

  @Override
  public Set<Mode> modes() {
    return EnumSet.allOf(Mode.class);
  }

  @Override
  public boolean cpuBound() {
    return false;
  }

  @Override
  public JsonNode parse(JsonNode input, TaskContext context) {
    return input;
  }

  @Override
  public JsonNode run(JsonNode input, TaskContext context) {
    return input;
  }

  @Override
  public CompletionStage<JsonNode> runAsync(JsonNode input, TaskContext context) {
    return CompletableFuture.completedFuture(input);
  }
}
