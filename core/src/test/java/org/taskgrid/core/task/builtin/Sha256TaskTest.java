package org.taskgrid.core.task.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.taskgrid.core.TestJson.json;
import static org.taskgrid.core.task.TaskAssertions.assertRefused;
import static org.taskgrid.core.task.TaskAssertions.assertRefusedAsAWhole;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

class Sha256TaskTest {
  private static final ActorTestKit testKit = ActorTestKit.create("Sha256TaskTest");
  private static RegisteredTask<?> sha256;
  private static long maxRounds;

  @BeforeAll
  static void loadTask() {
    sha256 = TaskRegistry.load(testKit.system()).find("sha256").orElseThrow();
    maxRounds = testKit.system().settings().config().getLong("taskgrid.tasks.sha256.max-rounds");
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static String hash(String text, long rounds) throws Exception {
    JsonNode input = JsonNodeFactory.instance.objectNode().put("text", text).put("rounds", rounds);
    JsonNode result = sha256.run(input);
    assertEquals(true, result.isTextual(), () -> "a string, was " + result);
    return result.textValue();
  }

  /** The expected value, computed independently with the JDK. */
  private static String reference(String text, long rounds) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (long i = 0; i < rounds; i++) {
      bytes = digest.digest(bytes);
    }
    return HexFormat.of().formatHex(bytes);
  }

  @Test
  void hashesAbcToTheFips180Vector() throws Exception {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash("abc", 1));
  }

  @Test
  void oneRoundIsTheDefault() throws Exception {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        sha256.run(json("{'text': 'abc'}")).textValue());
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        sha256.run(json("{'text': 'abc', 'rounds': null}")).textValue());
  }

  @Test
  void hashesTheEmptyString() throws Exception {
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hash("", 1));
  }

  @Test
  void twoRoundsHashTheRawDigestNotItsHex() throws Exception {
    byte[] first =
        HexFormat.of().parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(first));
    assertEquals(expected, hash("abc", 2));
    assertEquals(64, expected.length());
  }

  @Test
  void hashesUnicodeTextAsUtf8() throws Exception {
    String text = "héllo, 東京 🎉";
    assertEquals(reference(text, 1), hash(text, 1));
    assertEquals(reference(text, 3), hash(text, 3));
  }

  @Test
  void manyRoundsMatchAPlainLoop() throws Exception {
    // More than 65536 rounds, past the point where the task checks for interruption.
    assertEquals(reference("abc", 70_001), hash("abc", 70_001));
  }

  @Test
  void refusesMissingOrWrongText() {
    assertRefused(sha256, json("{}"), "text");
    assertRefused(sha256, json("{'rounds': 2}"), "text");
    assertRefused(sha256, json("{'text': null}"), "text");
    assertRefused(sha256, json("{'text': 5}"), "text");
    assertRefused(sha256, json("{'text': true}"), "text");
    assertRefused(sha256, json("{'text': ['abc']}"), "text");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "'2'", "1.5", "2.0", "true", "[2]", "99999999999999999999"})
  void refusesBadRounds(String rounds) {
    assertRefused(sha256, json("{'text': 'abc', 'rounds': " + rounds + "}"), "rounds");
  }

  @Test
  void refusesMoreRoundsThanConfigured() throws Exception {
    assertRefused(
        sha256,
        JsonNodeFactory.instance.objectNode().put("text", "abc").put("rounds", maxRounds + 1),
        "rounds");
    sha256.validate(
        JsonNodeFactory.instance.objectNode().put("text", "abc").put("rounds", maxRounds));
  }

  @Test
  void refusesInputThatIsNotAnObject() {
    assertRefusedAsAWhole(sha256, json("['abc']"));
    assertRefusedAsAWhole(sha256, json("'abc'"));
    assertRefusedAsAWhole(sha256, NullNode.getInstance());
    assertRefusedAsAWhole(sha256, null);
  }

  @Test
  void isCpuBoundAndNotAsync() {
    assertEquals(true, sha256.task().cpuBound());
    assertFalse(sha256.task().modes().contains(Mode.ASYNC));
    assertFalse(sha256.task().splittable());
  }
}
