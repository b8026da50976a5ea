package org.taskgrid.core.task.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

class EchoTaskTest {
  private static final ActorTestKit testKit = ActorTestKit.create("EchoTaskTest");
  private static RegisteredTask<?> echo;

  @BeforeAll
  static void loadTask() {
    echo = TaskRegistry.load(testKit.system()).find("echo").orElseThrow();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{'message': 'hello'}",
        "{'text': 'héllo wörld, 東京, Привет, مرحبا, 🎉👩‍💻', 'escaped': 'tab\\there \\u0000"
            + " \\\"q\\\"'}",
        "{'a': {'b': {'c': [1, 2.5, -3, 99999999999999999999, true, false, null, {'d': ['e',"
            + " [[[]]]]}]}}}",
        "[1, 'two', {'three': [3]}]",
        "'just a string'",
        "42",
        "null",
      })
  void returnsItsInputUnchanged(String input) throws Exception {
    JsonNode node = json(input);
    JsonNode copy = node.deepCopy();
    assertEquals(copy, echo.run(node));
    assertEquals(copy, echo.runAsync(node).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(copy, node, "the input was modified");
  }

  @Test
  void echoesADeeplyNestedDocument() throws Exception {
    JsonNode deep = json("[".repeat(500) + "{'bottom': 'ü'}" + "]".repeat(500));
    assertEquals(deep.deepCopy(), echo.run(deep));
  }

  @Test
  void acceptsAnyJsonAsInput() throws Exception {
    echo.validate(NullNode.getInstance());
    echo.validate(json("[1]"));
  }

  @Test
  void runsInEveryModeAsyncByDefault() {
    assertEquals(EnumSet.allOf(Mode.class), echo.task().modes());
    assertEquals(Mode.ASYNC, echo.task().defaultMode());
    assertFalse(echo.task().cpuBound());
    assertFalse(echo.task().splittable());
  }
}
