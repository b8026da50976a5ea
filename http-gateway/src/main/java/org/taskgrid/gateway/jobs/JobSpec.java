package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;

/**
 * A validated job: the inputs of its parts, and whether their results merge into one (a split
 * input) or stay a list in input order (inputs).
 */
public record JobSpec(RegisteredTask<?> task, Mode mode, List<JsonNode> inputs, boolean merge) {
  public JobSpec {
    inputs = List.copyOf(inputs);
  }
}
