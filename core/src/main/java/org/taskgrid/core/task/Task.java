package org.taskgrid.core.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A named unit of work: the task SPI. Implementations are found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/org.taskgrid.core.task.Task}), so a jar on the nodes'
 * classpath adds tasks. An implementation needs a public no-argument constructor and must be
 * stateless: one instance serves every call, from many threads at once.
 *
 * @param <I> the decoded, validated input
 */
public interface Task<I> {

  /** The name in {@code POST /v1/tasks/{name}}: lower case letters, digits and '-'. */
  String name();

  /** One line for {@code GET /v1/tasks}. */
  String description();

  /** The mode used when a call names none. */
  Mode defaultMode();

  /**
   * The modes the task accepts. Every task runs in {@code thread} and {@code process}; only a task
   * that overrides {@link #runAsync} may add {@code async}.
   */
  default Set<Mode> modes() {
    return EnumSet.of(Mode.THREAD, Mode.PROCESS);
  }

  /**
   * Whether the work keeps a core busy. In {@code process} mode such a task runs on the node's CPU
   * pool (sized to its cores), any other on its blocking pool.
   */
  default boolean cpuBound() {
    return true;
  }

  /**
   * Decodes and checks the input; the exception names the bad field. Must be cheap. An unknown
   * field should be refused (a typo must not silently change a call, and a field nobody reads must
   * not pin memory): {@code return InputFields.decode(input, MyInput.class);} with a record does
   * all of it, and {@link InputFields#onlyFields} does it for fields read by hand.
   */
  I parse(JsonNode input, TaskContext context) throws InvalidInputException;

  /**
   * Does the work on the calling thread, which may block. Long work should give up when the thread
   * is interrupted (a timeout or a cancellation). Anything thrown is a failure of the task.
   */
  JsonNode run(I input, TaskContext context) throws Exception;

  /** Does the work without blocking; only called when {@link #modes()} holds {@code async}. */
  default CompletionStage<JsonNode> runAsync(I input, TaskContext context) {
    throw new UnsupportedOperationException(name() + " has no async implementation");
  }

  /**
   * Whether {@link #parts} (or {@link #split}) and {@link #merge} are implemented, for fan-out.
   */
  default boolean splittable() {
    return false;
  }

  /**
   * Splits a valid input into at most {@code parts} inputs, each valid on its own, made as the
   * job dispatches them: implement this rather than {@link #split} when a job may have many parts,
   * so that they are not all in memory at once. By default it takes the list of {@link #split}.
   * Implement one of the two.
   */
  default Parts parts(I input, int parts) {
    return Parts.of(split(input, parts));
  }

  /**
   * Splits a valid input into at most {@code parts} inputs, each valid on its own, all at once
   * (see {@link #parts}).
   */
  default List<JsonNode> split(I input, int parts) {
    throw new UnsupportedOperationException(name() + " cannot be split");
  }

  /** Combines the results of the parts of {@link #split}, given in the order of the parts. */
  default JsonNode merge(List<JsonNode> partResults) {
    throw new UnsupportedOperationException(name() + " cannot be merged");
  }
}
