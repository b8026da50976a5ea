package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;

/**
 * A finished job's result as its JSON text, which is what retention keeps: a tree of small nodes
 * costs 5 to 25 times its text in heap, the text about its length, and its size is then exact.
 * It is still a {@link JsonNode}, written out verbatim wherever the view is.
 */
final class CompactResult {
  private static final ObjectMapper WRITER = JsonMapper.builder().build();
  /** A String's header and array header. */
  private static final long STRING_OVERHEAD = 56;

  private CompactResult() {}

  static JsonNode of(JsonNode result) {
    if (result == null) {
      return null;
    }
    try {
      return JsonNodeFactory.instance.rawValueNode(new RawValue(WRITER.writeValueAsString(result)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a result as JSON", e);
    }
  }

  /** The length of the text in bytes, as JSON (UTF-16 chars counted as the heap holds them). */
  static long textBytes(JsonNode compact) {
    String text = text(compact);
    return text == null ? 0 : text.length();
  }

  /** What the compact result holds in heap. */
  static long heapBytes(JsonNode compact) {
    String text = text(compact);
    if (text == null) {
      return 0;
    }
    // Java keeps a string of Latin-1 characters in one byte each, any other in two.
    boolean latin1 = text.chars().allMatch(c -> c <= 0xFF);
    return STRING_OVERHEAD + (latin1 ? 1L : 2L) * text.length();
  }

  /** A result kept as its text (as the job store holds it), written out verbatim. */
  static JsonNode ofText(String text) {
    return text == null ? null : JsonNodeFactory.instance.rawValueNode(new RawValue(text));
  }

  /** The JSON text of a compact result, or null. */
  static String text(JsonNode compact) {
    if (compact instanceof POJONode pojo && pojo.getPojo() instanceof RawValue raw) {
      return String.valueOf(raw.rawValue());
    }
    return null;
  }
}
