package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/** {@code GET /v1/tasks}: every built-in task with its modes, sorted by name. */
class TaskListingTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  private record Expected(String name, String defaultMode, List<String> modes, boolean splittable) {}

  private static final List<Expected> BUILT_IN =
      List.of(
          new Expected("echo", "async", List.of("thread", "process", "async"), false),
          new Expected("primes", "process", List.of("thread", "process"), true),
          new Expected("sha256", "process", List.of("thread", "process"), false),
          new Expected("sleep", "thread", List.of("thread", "process", "async"), false),
          new Expected("wordcount", "process", List.of("thread", "process"), true));

  @ParameterizedTest
  @ValueSource(strings = {"/v1/tasks", "/v1/tasks/"})
  void listsTheBuiltInTasks(String path) throws Exception {
    HttpResult listing = gateway.get(path);
    assertEquals(200, listing.status(), listing::toString);
    assertEquals("application/json", listing.header("Content-Type").orElseThrow());

    JsonNode tasks = listing.json();
    assertEquals(BUILT_IN.size(), tasks.size(), listing::toString);
    for (int i = 0; i < BUILT_IN.size(); i++) {
      Expected expected = BUILT_IN.get(i);
      JsonNode task = tasks.get(i);
      assertEquals(expected.name(), task.path("name").asText());
      assertEquals(expected.defaultMode(), task.path("defaultMode").asText(), expected::name);
      assertEquals(expected.modes(), strings(task.path("modes")), expected::name);
      assertEquals(expected.splittable(), task.path("splittable").asBoolean(), expected::name);
      assertFalse(task.path("description").asText().isBlank(), expected::name);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }
}
