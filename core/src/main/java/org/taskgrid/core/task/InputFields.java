package org.taskgrid.core.task;

import com.fasterxml.jackson.databind.JsonNode;

/** Readers for the fields of a JSON task input; each failure names the field. */
public final class InputFields {
  private InputFields() {}

  /** The input itself must be a JSON object. */
  public static JsonNode object(JsonNode input) throws InvalidInputException {
    if (input == null || !input.isObject()) {
      throw new InvalidInputException(null, "input must be a JSON object");
    }
    return input;
  }

  public static long requiredLong(JsonNode input, String field) throws InvalidInputException {
    return asLong(required(input, field), field);
  }

  public static long optionalLong(JsonNode input, String field, long fallback)
      throws InvalidInputException {
    JsonNode value = object(input).get(field);
    return value == null || value.isNull() ? fallback : asLong(value, field);
  }

  public static String requiredText(JsonNode input, String field) throws InvalidInputException {
    JsonNode value = required(input, field);
    if (!value.isTextual()) {
      throw new InvalidInputException(field, "field '" + field + "' must be a string");
    }
    return value.textValue();
  }

  /** Fails unless {@code min <= value <= max}. */
  public static long inRange(String field, long value, long min, long max)
      throws InvalidInputException {
    if (value < min || value > max) {
      throw new InvalidInputException(
          field, "field '" + field + "' must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  private static JsonNode required(JsonNode input, String field) throws InvalidInputException {
    JsonNode value = object(input).get(field);
    if (value == null || value.isNull()) {
      throw new InvalidInputException(field, "field '" + field + "' is required");
    }
    return value;
  }

  private static long asLong(JsonNode value, String field) throws InvalidInputException {
    if (!value.isIntegralNumber()) {
      throw new InvalidInputException(field, "field '" + field + "' must be an integer");
    }
    if (!value.canConvertToLong()) {
      throw new InvalidInputException(field, "field '" + field + "' is out of range");
    }
    return value.longValue();
  }
}
