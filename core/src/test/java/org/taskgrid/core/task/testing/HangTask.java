package org.taskgrid.core.task.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * A test-only async task whose stage never completes, as a user task waiting on an external call
 * with no timeout would. Each stage it made is kept, so a test can see whether it was cancelled.
 */
public final class HangTask implements Task<JsonNode> {

  /** Every stage handed out so far, newest last. */
  public static final java.util.List<CompletableFuture<JsonNode>> STAGES =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public String name() {
    return "hang";
  }

  @Override
  public String description() {
    return "Test only: an async stage that never completes.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.ASYNC;
  }

  @Override
  public Set<Mode> modes() {
    return EnumSet.of(Mode.ASYNC);
  }

  @Override
  public JsonNode parse(JsonNode input, TaskContext context) {
    return input;
  }

  @Override
  public JsonNode run(JsonNode input, TaskContext context) {
    throw new UnsupportedOperationException("async only");
  }

  @Override
  public CompletionStage<JsonNode> runAsync(JsonNode input, TaskContext context) {
    CompletableFuture<JsonNode> never = new CompletableFuture<>();
    STAGES.add(never);
    return never;
  }
}
