package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Parts;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * Counts the words of a text, in total and per word (lower-cased). Splittable by lines: each part
 * counts some whole lines, and merge adds the counts up.
 */
public final class WordCountTask implements Task<String> {
  // Letters, digits, apostrophes and combining marks (\p{M}): without the marks, scripts that
  // write vowels as marks (Devanagari, Thai...) and decomposed accents fall apart into pieces.
  private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{M}\\p{N}']+");

  @Override
  public String name() {
    return "wordcount";
  }

  @Override
  public String description() {
    return "Counts the words of 'text': {\"words\": total, \"counts\": {word: n}}.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.PROCESS;
  }

  @Override
  public boolean splittable() {
    return true;
  }

  @Override
  public String parse(JsonNode input, TaskContext context) throws InvalidInputException {
    InputFields.onlyFields(input, "text");
    return InputFields.requiredText(input, "text");
  }

  @Override
  public JsonNode run(String text, TaskContext context) {
    Map<String, Long> counts = new TreeMap<>();
    for (String word : NOT_WORD.split(text.toLowerCase(Locale.ROOT))) {
      if (!word.isEmpty()) {
        counts.merge(word, 1L, Long::sum);
      }
    }
    return result(counts);
  }

  @Override
  public Parts parts(String text, int parts) {
    int lines = 1 + (int) text.chars().filter(c -> c == '\n').count();
    int count = Math.max(1, Math.min(parts, lines));
    // Where each part starts in the text (count + 1 offsets, not one per line); a part is the
    // substring between two of them, made when it is dispatched.
    int[] starts = new int[count + 1];
    int line = 0;
    int boundary = 1;
    for (int at = 0; at < text.length() && boundary < count; at++) {
      if (text.charAt(at) == '\n') {
        line++;
        while (boundary < count && (long) lines * boundary / count == line) {
          starts[boundary++] = at + 1;
        }
      }
    }
    starts[count] = text.length() + 1;
    return Parts.of(
        count,
        i ->
            JsonNodeFactory.instance
                .objectNode()
                .put("text", text.substring(starts[i], starts[i + 1] - 1)));
  }

  @Override
  public JsonNode merge(List<JsonNode> partResults) {
    Map<String, Long> counts = new TreeMap<>();
    for (JsonNode part : partResults) {
      part.get("counts").fields()
          .forEachRemaining(entry -> counts.merge(entry.getKey(), entry.getValue().longValue(), Long::sum));
    }
    return result(counts);
  }

  private static JsonNode result(Map<String, Long> counts) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("words", counts.values().stream().mapToLong(Long::longValue).sum());
    ObjectNode perWord = result.putObject("counts");
    counts.forEach(perWord::put);
    return result;
  }
}
