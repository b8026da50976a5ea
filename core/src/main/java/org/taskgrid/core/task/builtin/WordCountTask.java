package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
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
  public List<JsonNode> split(String text, int parts) {
    String[] lines = text.split("\n", -1);
    int count = Math.max(1, Math.min(parts, lines.length));
    List<JsonNode> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = (int) ((long) lines.length * i / count);
      int to = (int) ((long) lines.length * (i + 1) / count);
      String part = String.join("\n", Arrays.asList(lines).subList(from, to));
      inputs.add(JsonNodeFactory.instance.objectNode().put("text", part));
    }
    return inputs;
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
