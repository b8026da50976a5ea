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

  /** The parts of a split input, made one at a time as they are asked for. */
  public Parts parts(JsonNode input, int parts) throws InvalidInputException {
    return task.parts(task.parse(input, context), parts);
  }

  /** Every part of a split input at once. */
  public List<JsonNode> split(JsonNode input, int parts) throws InvalidInputException {
    return parts(input, parts).toList();
  }

  public JsonNode merge(List<JsonNode> partResults) {
    return task.merge(partResults);
  }
}
