package org.taskgrid.core.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import java.util.Iterator;
import java.util.Map;

/**
 * An upper bound of the bytes a JSON tree takes in CBOR, found by one walk of the tree without
 * encoding it: whether a part's input or result fits in a message between nodes, and how many
 * parts fit in one batch. Encoding every small result only to learn that it is small cost more
 * than running an echo part.
 *
 * <p>The messages that carry parts are written by {@link PartSerializer}, which stays within these
 * bounds: a tree takes there exactly its CBOR bytes (an absent one 1 byte), a string at most {@link
 * #of(String)} whether written out or, repeated, as an index; the other values of a part or an
 * answer take at most 28 bytes, within the 64 that the router and the executor add for each. What
 * a message has once (counts, the text of its reply addresses) fits in {@link
 * ExecutorSettings#ENVELOPE_ROOM_BYTES}. Field names, which jackson-cbor wrote for every part,
 * are no longer on the wire.
 */
public final class WireSize {
  private WireSize() {}

  /** A CBOR head (major type and length) takes at most 9 bytes; a container's end 1 more. */
  private static final long HEAD = 9;

  /**
   * At least the CBOR size of {@code node}, or some value above {@code cap} as soon as the walk
   * passes it (the rest is not walked).
   */
  public static long atMost(JsonNode node, long cap) {
    return add(node, 0, cap);
  }

  /** At least the CBOR size of a string: UTF-8 takes at most 3 bytes per UTF-16 char. */
  public static long of(String text) {
    return text == null ? 1 : HEAD + 3L * text.length();
  }

  private static long add(JsonNode node, long sum, long cap) {
    if (node == null || sum > cap) {
      return sum + 1;
    }
    switch (node.getNodeType()) {
      case OBJECT -> {
        sum += HEAD + 1;
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext() && sum <= cap) {
          Map.Entry<String, JsonNode> field = fields.next();
          sum = add(field.getValue(), sum + of(field.getKey()), cap);
        }
        return sum;
      }
      case ARRAY -> {
        sum += HEAD + 1;
        for (int i = 0; i < node.size() && sum <= cap; i++) {
          sum = add(node.get(i), sum, cap);
        }
        return sum;
      }
      case STRING -> {
        return sum + of(node.textValue());
      }
      case BINARY -> {
        return sum + HEAD + ((BinaryNode) node).binaryValue().length;
      }
      case POJO -> {
        // Whatever its serializer makes of it: no bound without encoding it.
        return Long.MAX_VALUE / 2;
      }
      case NUMBER -> {
        // A big integer or decimal is a tagged byte string (or mantissa and exponent): its text
        // length bounds its bytes.
        return sum + (node.isBigInteger() || node.isBigDecimal() ? 3 * HEAD + node.asText().length() : HEAD);
      }
      default -> {
        // Booleans, null, and anything a custom node might be: its text is a fair bound.
        return sum + HEAD + 3L * node.asText().length();
      }
    }
  }
}
