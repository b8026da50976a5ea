package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * Waits {@code millis}: in {@code thread} mode it blocks a pool thread (a stand-in for a JDBC call),
 * in {@code async} mode it waits on a timer and holds no thread at all.
 */
public final class SleepTask implements Task<Duration> {

  @Override
  public String name() {
    return "sleep";
  }

  @Override
  public String description() {
    return "Waits 'millis' milliseconds: blocks a thread in thread mode, holds none in async mode.";
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
  public boolean cpuBound() {
    return false;
  }

  @Override
  public Duration parse(JsonNode input, TaskContext context) throws InvalidInputException {
    InputFields.onlyFields(input, "millis");
    long max = context.settings().getDuration("max").toMillis();
    long millis = InputFields.inRange("millis", InputFields.requiredLong(input, "millis"), 0, max);
    return Duration.ofMillis(millis);
  }

  @Override
  public JsonNode run(Duration input, TaskContext context) throws InterruptedException {
    Thread.sleep(input.toMillis());
    return result(input);
  }

  @Override
  public CompletionStage<JsonNode> runAsync(Duration input, TaskContext context) {
    return context.after(input).thenApply(done -> result(input));
  }

  private static JsonNode result(Duration slept) {
    return JsonNodeFactory.instance.objectNode().put("slept", slept.toMillis());
  }
}
