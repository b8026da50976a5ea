package org.taskgrid.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.Comparator;
import org.junit.jupiter.api.Assertions;

/** JSON for tests: single quotes are allowed, so inputs read well inside Java strings. */
public final class TestJson {
  public static final JsonMapper MAPPER =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

  private TestJson() {}

  /** Parses {@code text}, e.g. {@code json("{'from': 0, 'to': 10}")}. */
  public static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Equal as JSON documents: numbers compare by value, so {@code 4} parsed from text (an int node)
   * equals a task's {@code LongNode} 4, as they would on the wire.
   */
  public static void assertJsonEquals(JsonNode expected, JsonNode actual) {
    Assertions.assertNotNull(actual, "JSON result");
    Assertions.assertTrue(
        expected.equals(NUMBERS_BY_VALUE, actual),
        () -> "expected " + expected + " but was " + actual);
  }

  public static void assertJsonEquals(String expected, JsonNode actual) {
    assertJsonEquals(json(expected), actual);
  }

  private static final Comparator<JsonNode> NUMBERS_BY_VALUE =
      (a, b) -> {
        if (a.equals(b)) {
          return 0;
        }
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
          return a.bigIntegerValue().compareTo(b.bigIntegerValue());
        }
        if (a.isNumber() && b.isNumber()) {
          return a.decimalValue().compareTo(b.decimalValue());
        }
        return 1;
      };
}
