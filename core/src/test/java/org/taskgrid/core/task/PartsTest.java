package org.taskgrid.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Parts are made when asked for, by index; a task of the older shape that only implements {@code
 * split} still fans out, through the same {@link Parts}.
 */
class PartsTest {

  /** A user task written before {@link Task#parts}: it splits into a list. */
  static final class ListSplitTask implements Task<Integer> {
    @Override
    public String name() {
      return "count-to";
    }

    @Override
    public String description() {
      return "Splits n into n parts of 1.";
    }

    @Override
    public Mode defaultMode() {
      return Mode.THREAD;
    }

    @Override
    public boolean splittable() {
      return true;
    }

    @Override
    public Integer parse(JsonNode input, TaskContext context) {
      return input.intValue();
    }

    @Override
    public JsonNode run(Integer input, TaskContext context) {
      return IntNode.valueOf(input);
    }

    @Override
    public List<JsonNode> split(Integer input, int parts) {
      return java.util.Collections.nCopies(Math.min(input, parts), IntNode.valueOf(1));
    }
  }

  private static final TaskContext CONTEXT =
      new TaskContext() {
        @Override
        public Config settings() {
          return ConfigFactory.empty();
        }

        @Override
        public CompletionStage<Void> after(Duration delay) {
          return CompletableFuture.completedFuture(null);
        }
      };

  @Test
  void aTaskThatOnlySplitsIntoAListStillFansOut() throws Exception {
    RegisteredTask<Integer> task = new RegisteredTask<>(new ListSplitTask(), CONTEXT);
    Parts parts = task.parts(IntNode.valueOf(5), 3);
    assertEquals(3, parts.size());
    assertEquals(IntNode.valueOf(1), parts.get(2));
  }

  @Test
  void partsAreMadeOnlyWhenAskedFor() {
    AtomicInteger made = new AtomicInteger();
    Parts parts = Parts.of(100_000, i -> { made.incrementAndGet(); return IntNode.valueOf(i); });
    assertEquals(0, made.get());
    assertEquals(IntNode.valueOf(99_999), parts.get(99_999));
    assertEquals(1, made.get());
    assertThrows(IndexOutOfBoundsException.class, () -> parts.get(100_000));
  }
}
