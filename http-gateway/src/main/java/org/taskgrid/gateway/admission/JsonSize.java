package org.taskgrid.gateway.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;

/**
 * Estimates of what a JSON tree costs: its bytes as JSON text, and its bytes on a 64-bit heap
 * (compressed references). Rough on purpose, and on the high side for small values, which is where
 * a tree costs most per byte of text: {@code [[],[],...]} is some 25 times its text in heap.
 *
 * @param textBytes about the length of its JSON text (strings counted as their chars)
 * @param heapBytes about what it holds in memory
 */
public record JsonSize(long textBytes, long heapBytes) {
  /** An object node and its LinkedHashMap, empty. */
  private static final long OBJECT = 96;
  /** One field of an object: the map entry and the key string's header. */
  private static final long FIELD = 80;
  /** An array node and its ArrayList, empty. */
  private static final long ARRAY = 64;
  /** One element of an array: the reference, with the list's spare room. */
  private static final long ELEMENT = 8;
  /** A text node and its string's header. */
  private static final long TEXT = 64;
  /** A number (BigDecimal with its BigInteger at worst) or another scalar. */
  private static final long SCALAR = 64;

  /** Measures without recursion, so no tree can overflow the stack. */
  public static JsonSize of(JsonNode root) {
    if (root == null) {
      return new JsonSize(0, 0);
    }
    long text = 0;
    long heap = 0;
    ArrayDeque<JsonNode> pending = new ArrayDeque<>();
    pending.push(root);
    while (!pending.isEmpty()) {
      JsonNode node = pending.pop();
      if (node.isObject()) {
        heap += OBJECT;
        text += 2;
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          heap += FIELD + field.getKey().length();
          text += field.getKey().length() + 4;
          pending.push(field.getValue());
        }
      } else if (node.isArray()) {
        heap += ARRAY;
        text += 2;
        for (JsonNode element : node) {
          heap += ELEMENT;
          text += 1;
          pending.push(element);
        }
      } else if (node.isTextual()) {
        heap += TEXT + 2L * node.textValue().length(); // UTF-16 at worst
        text += node.textValue().length() + 2;
      } else {
        heap += SCALAR;
        text += node.isNumber() ? node.asText().length() : 5;
      }
    }
    return new JsonSize(text, heap);
  }
}
