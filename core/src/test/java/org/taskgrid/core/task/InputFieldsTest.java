package org.taskgrid.core.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Unknown fields are refused, by name, both ways a task can read its input. */
class InputFieldsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What a user task might decode its input into. */
  public record Resize(int width, int height, String format) {}

  @Test
  void decodeReadsARecord() throws Exception {
    assertEquals(
        new Resize(3, 4, "png"),
        InputFields.decode(json("{\"width\":3,\"height\":4,\"format\":\"png\"}"), Resize.class));
  }

  @Test
  void decodeRefusesAnUnknownFieldByName() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> InputFields.decode(json("{\"width\":3,\"height\":4,\"pad\":[[],[]]}"), Resize.class));
    assertEquals("pad", e.field().orElse(null));
    assertTrue(e.getMessage().contains("unknown field 'pad'"), e.getMessage());
  }

  @Test
  void decodeNamesAFieldOfTheWrongType() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> InputFields.decode(json("{\"width\":\"wide\",\"height\":4}"), Resize.class));
    assertEquals("width", e.field().orElse(null));
  }

  @Test
  void decodeRefusesWhatIsNotAnObject() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> InputFields.decode(json("[1]"), Resize.class));
    assertTrue(e.field().isEmpty());
  }

  @Test
  void onlyFieldsNamesTheFirstUnknownField() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> InputFields.onlyFields(json("{\"from\":1,\"step\":2}"), "from", "to"));
    assertEquals("step", e.field().orElse(null));
    assertTrue(e.getMessage().contains("known are from, to"), e.getMessage());
  }

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }
}
