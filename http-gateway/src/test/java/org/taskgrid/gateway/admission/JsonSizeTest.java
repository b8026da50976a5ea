package org.taskgrid.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The estimates are of the right order: text about the length of the JSON, heap above it. */
class JsonSizeTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void textIsAboutTheLengthOfTheJson() throws Exception {
    String json = "{\"text\":\"" + "a".repeat(1000) + "\",\"n\":[1,2,3]}";
    JsonSize size = JsonSize.of(MAPPER.readTree(json));
    assertTrue(Math.abs(size.textBytes() - json.length()) < 20, size::toString);
  }

  @Test
  void manySmallNodesCostManyTimesTheirText() throws Exception {
    String json = "[" + "[],".repeat(9999) + "[]]";
    JsonNode tree = MAPPER.readTree(json);
    JsonSize size = JsonSize.of(tree);
    assertTrue(size.heapBytes() > 20L * json.length(), size::toString);
  }

  @Test
  void deepTreesDoNotOverflowTheStack() throws Exception {
    JsonNode deep = MAPPER.readTree("[".repeat(400) + "]".repeat(400));
    assertTrue(JsonSize.of(deep).textBytes() >= 800);
  }
}
