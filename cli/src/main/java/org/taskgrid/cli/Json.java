package org.taskgrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One Jackson mapper for the CLI, and the few ways it reads and writes JSON. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A JSON argument of the command line; not JSON is a usage problem naming the argument. */
  static JsonNode parseArgument(String text, String what) {
    try {
      JsonNode value = MAPPER.readTree(text);
      if (value == null || value.isMissingNode()) {
        throw new UsageProblem(what + " is empty; give a JSON value, e.g. '{\"from\":0,\"to\":1000}'");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new UsageProblem(what + " is not JSON: " + e.getOriginalMessage());
    }
  }

  static JsonNode parseOrNull(String text) {
    try {
      JsonNode value = MAPPER.readTree(text);
      return value == null || value.isMissingNode() ? null : value;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /** Compact JSON on one line, as a script reading stdout wants it. */
  static String write(JsonNode value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
