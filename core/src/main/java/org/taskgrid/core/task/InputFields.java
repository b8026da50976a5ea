package org.taskgrid.core.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Readers for the fields of a JSON task input; each failure names the field. */
public final class InputFields {
  /** Decodes inputs into a task's own types: unknown fields, nulls for numbers, coercions refused. */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private InputFields() {}

  /** The input itself must be a JSON object. */
  public static JsonNode object(JsonNode input) throws InvalidInputException {
    if (input == null || !input.isObject()) {
      throw new InvalidInputException(null, "input must be a JSON object");
    }
    return input;
  }

  /**
   * The input must be a JSON object with no field but {@code known}: the first other one is named
   * in the error.
   */
  public static JsonNode onlyFields(JsonNode input, String... known) throws InvalidInputException {
    object(input);
    List<String> allowed = Arrays.asList(known);
    for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw unknownField(name, allowed);
      }
    }
    return input;
  }

  /**
   * Decodes a JSON object into {@code type} (a record, say), refusing a field the type does not
   * have, a null for a field of a primitive type, and a value of the wrong JSON type; the
   * error names the field.
   */
  public static <T> T decode(JsonNode input, Class<T> type) throws InvalidInputException {
    object(input);
    try {
      return STRICT.treeToValue(input, type);
    } catch (UnrecognizedPropertyException e) {
      throw unknownField(
          e.getPropertyName(),
          e.getKnownPropertyIds() == null ? List.of() : e.getKnownPropertyIds().stream().map(String::valueOf).toList());
    } catch (JsonMappingException e) {
      String field = e.getPath().isEmpty() ? null : e.getPath().get(0).getFieldName();
      throw new InvalidInputException(
          field, (field == null ? "the input" : "field '" + field + "'") + " is not valid: "
              + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(null, "the input is not valid: " + e.getOriginalMessage());
    }
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

  private static InvalidInputException unknownField(String name, List<String> known) {
    Set<String> sorted = new TreeSet<>(known);
    return new InvalidInputException(
        name,
        "unknown field '" + name + "'"
            + (sorted.isEmpty() ? "" : "; known are " + String.join(", ", sorted)));
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
