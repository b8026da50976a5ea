package org.taskgrid.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A task bound to the context of this node. Works on JSON, so callers need not know a task's input
 * type: every operation decodes (and so validates) the input first.
 */
public record RegisteredTask<I>(Task<I> task, TaskContext context) {

  public String name() {
    return task.name();
  }

  /** Throws when the input is not valid for the task. */
  public void validate(JsonNode input) throws InvalidInputException {
    task.parse(input, context);
  }

  public JsonNode run(JsonNode input) throws Exception {
    return task.run(task.parse(input, context), context);
  }

  public CompletionStage<JsonNode> runAsync(JsonNode input) throws InvalidInputException {
    return task.runAsync(task.parse(input, context), context);
  }

  public List<JsonNode> split(JsonNode input, int parts) throws InvalidInputException {
    return task.split(task.parse(input, context), parts);
  }

  public JsonNode merge(List<JsonNode> partResults) {
    return task.merge(partResults);
  }
}
