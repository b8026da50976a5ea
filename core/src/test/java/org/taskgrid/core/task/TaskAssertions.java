package org.taskgrid.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** Checks shared by the tests of tasks. */
public final class TaskAssertions {
  private TaskAssertions() {}

  /**
   * Asserts that the input is refused, by validation and by a run alike, and returns the field the
   * refusal names (empty when the input as a whole is wrong).
   */
  public static Optional<String> refusedField(RegisteredTask<?> task, JsonNode input) {
    InvalidInputException validated =
        assertThrows(
            InvalidInputException.class, () -> task.validate(input), () -> "input " + input);
    InvalidInputException ran =
        assertThrows(InvalidInputException.class, () -> task.run(input), () -> "input " + input);
    assertEquals(validated.field(), ran.field());
    return validated.field();
  }

  /** Asserts that the input is refused and that the refusal names {@code field}. */
  public static void assertRefused(RegisteredTask<?> task, JsonNode input, String field) {
    assertEquals(Optional.of(field), refusedField(task, input), () -> "field named for " + input);
  }

  /** Asserts that the input is refused as a whole (it is not a JSON object): no field is named. */
  public static void assertRefusedAsAWhole(RegisteredTask<?> task, JsonNode input) {
    assertEquals(Optional.empty(), refusedField(task, input), () -> "field named for " + input);
  }
}
