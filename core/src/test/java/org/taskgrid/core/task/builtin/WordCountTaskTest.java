package org.taskgrid.core.task.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.assertJsonEquals;
import static org.taskgrid.core.TestJson.json;
import static org.taskgrid.core.task.TaskAssertions.assertRefused;
import static org.taskgrid.core.task.TaskAssertions.assertRefusedAsAWhole;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

class WordCountTaskTest {
  private static final ActorTestKit testKit = ActorTestKit.create("WordCountTaskTest");
  private static RegisteredTask<?> wordcount;

  @BeforeAll
  static void loadTask() {
    wordcount = TaskRegistry.load(testKit.system()).find("wordcount").orElseThrow();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static JsonNode text(String text) {
    return JsonNodeFactory.instance.objectNode().put("text", text);
  }

  private static JsonNode count(String text) throws Exception {
    return wordcount.run(text(text));
  }

  @Test
  void countsTotalAndPerWordFoldingCase() throws Exception {
    assertJsonEquals(
        "{'words': 6, 'counts': {'the': 2, 'cat': 1, 'sat': 1, 'on': 1, 'mat': 1}}",
        count("The cat sat on THE mat."));
    assertJsonEquals(
        "{'words': 5, 'counts': {'hello': 3, 'world': 2}}",
        count("Hello, hello... HELLO!  world\tWorld\n"));
  }

  @Test
  void countsNothingInEmptyOrBlankText() throws Exception {
    assertJsonEquals("{'words': 0, 'counts': {}}", count(""));
    assertJsonEquals("{'words': 0, 'counts': {}}", count("  \n\t , . ! \r\n"));
  }

  @Test
  void keepsDigitsAndInnerApostrophes() throws Exception {
    assertJsonEquals(
        "{'words': 4, 'counts': {\"don't\": 1, 'route': 1, '66': 2}}", count("Don't route-66 66"));
  }

  @Test
  void countsUnicodeWordsOfManyScripts() throws Exception {
    assertJsonEquals(
        "{'words': 9, 'counts': {'ärger': 3, 'привет': 2, '東京': 2, 'café': 1, 'naïve': 1}}",
        count("Ärger ärger ÄRGER; Привет, привет! 東京 東京 — café naïve"));
  }

  @Test
  void keepsCombiningMarksInsideWords() throws Exception {
    // Devanagari writes vowels and the virama as combining marks: "नमस्ते दुनिया" is two words.
    assertJsonEquals("{'words': 2, 'counts': {'नमस्ते': 1, 'दुनिया': 1}}", count("नमस्ते दुनिया"));
    // A decomposed é (e + U+0301) stays in its word.
    assertJsonEquals("{'words': 2, 'counts': {'cafe\u0301': 2}}", count("cafe\u0301 CAFE\u0301"));
    // Lower-casing the Turkish İ gives i + U+0307: still one word.
    assertEquals(1, count("İstanbul").get("words").longValue());
  }

  @Test
  void totalIsTheSumOfThePerWordCounts() throws Exception {
    JsonNode result = count(sampleText(50, new Random(7)));
    long sum = 0;
    for (JsonNode n : result.get("counts")) {
      assertTrue(n.longValue() > 0);
      sum += n.longValue();
    }
    assertEquals(result.get("words").longValue(), sum);
  }

  @Test
  void refusesMissingOrWrongText() {
    assertRefused(wordcount, json("{}"), "text");
    assertRefused(wordcount, json("{'text': null}"), "text");
    assertRefused(wordcount, json("{'text': 5}"), "text");
    assertRefused(wordcount, json("{'text': false}"), "text");
    assertRefused(wordcount, json("{'text': ['a b']}"), "text");
    assertRefused(wordcount, json("{'text': {'a': 'b'}}"), "text");
  }

  @Test
  void refusesInputThatIsNotAnObject() {
    assertRefusedAsAWhole(wordcount, json("['a b c']"));
    assertRefusedAsAWhole(wordcount, json("'a b c'"));
    assertRefusedAsAWhole(wordcount, NullNode.getInstance());
    assertRefusedAsAWhole(wordcount, null);
  }

  /** Lines of words from a small vocabulary, with blank lines, CRLF and punctuation. */
  private static String sampleText(int lines, Random random) {
    String[] vocabulary = {
      "alpha", "Beta", "GAMMA", "delta", "東京", "Ärger", "don't", "42", "naïve", "नमस्ते", "x"
    };
    String[] separators = {" ", ", ", "  ", "\t", "! ", " — "};
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < lines; line++) {
      int words = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(12);
      for (int w = 0; w < words; w++) {
        text.append(vocabulary[random.nextInt(vocabulary.length)]);
        text.append(separators[random.nextInt(separators.length)]);
      }
      if (line < lines - 1) {
        text.append(random.nextInt(5) == 0 ? "\r\n" : "\n");
      }
    }
    return text.toString();
  }

  @ParameterizedTest(name = "{0} parts")
  @ValueSource(ints = {1, 2, 3, 7, 64, 200, 1000})
  void partsCoverTheLinesExactlyAndMergeToTheWhole(int parts) throws Exception {
    String text = sampleText(200, new Random(parts));
    int lines = text.split("\n", -1).length;

    List<JsonNode> inputs = wordcount.split(text(text), parts);

    assertEquals(Math.min(parts, lines), inputs.size(), "number of parts");
    List<String> partTexts = new ArrayList<>();
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode input : inputs) {
      wordcount.validate(input);
      partTexts.add(input.get("text").textValue());
      results.add(wordcount.run(input));
    }
    assertEquals(text, String.join("\n", partTexts), "the parts, joined, are the text");
    assertEquals(wordcount.run(text(text)), wordcount.merge(results));
  }

  @Test
  void textWithoutNewlinesIsOnePart() throws Exception {
    List<JsonNode> inputs = wordcount.split(text("one line, no breaks"), 7);
    assertEquals(1, inputs.size());
    assertEquals("one line, no breaks", inputs.get(0).get("text").textValue());
  }

  @Test
  void emptyTextSplitsIntoOneEmptyPart() throws Exception {
    List<JsonNode> inputs = wordcount.split(text(""), 4);
    assertEquals(1, inputs.size());
    assertJsonEquals(
        "{'words': 0, 'counts': {}}", wordcount.merge(List.of(wordcount.run(inputs.get(0)))));
  }

  @Test
  void mergeAddsCountsOfTheSameWord() {
    JsonNode merged =
        wordcount.merge(
            List.of(
                json("{'words': 3, 'counts': {'a': 2, 'b': 1}}"),
                json("{'words': 0, 'counts': {}}"),
                json("{'words': 4, 'counts': {'b': 3, 'c': 1}}")));
    assertJsonEquals("{'words': 7, 'counts': {'a': 2, 'b': 4, 'c': 1}}", merged);
  }

  @Test
  void splitValidatesItsInput() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> wordcount.split(json("{'text': 1}"), 2));
    assertEquals("text", e.field().orElseThrow());
  }

  @Test
  void isSplittable() {
    assertTrue(wordcount.task().splittable());
  }
}
