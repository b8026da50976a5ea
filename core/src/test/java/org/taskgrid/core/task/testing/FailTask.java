package org.taskgrid.core.task.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * A test-only task that always fails, registered through the test classpath's {@code
 * META-INF/services}: no built-in task throws on valid input. Input {@code {"message": m}}; an
 * empty message throws an exception without one. In async mode it answers a failed stage, or, with
 * {@code "synchronous": true}, throws from {@code runAsync} itself.
 */
public final class FailTask implements Task<FailTask.Input> {

  /** The message of the exception, and how the async variant fails. */
  public record Input(String message, boolean synchronous) {}

  @Override
  public String name() {
    return "fail";
  }

  @Override
  public String description() {
    return "Test only: always throws.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.THREAD;
  }

  @Override
  public Set<Mode> modes() {
    return EnumSet.allOf(Mode.class);
  }

  @Override
  public Input parse(JsonNode input, TaskContext context) throws InvalidInputException {
    String message = InputFields.requiredText(input, "message");
    return new Input(message, input.path("synchronous").asBoolean(false));
  }

  @Override
  public JsonNode run(Input input, TaskContext context) {
    throw failure(input);
  }

  @Override
  public CompletionStage<JsonNode> runAsync(Input input, TaskContext context) {
    if (input.synchronous()) {
      throw failure(input);
    }
    return CompletableFuture.failedFuture(failure(input));
  }

  private static IllegalStateException failure(Input input) {
    return input.message().isEmpty()
        ? new IllegalStateException()
        : new IllegalStateException(input.message());
  }
}
