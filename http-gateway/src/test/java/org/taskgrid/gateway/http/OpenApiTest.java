package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * {@code GET /v1/openapi.json} against the gateway that serves it: a valid OpenAPI 3.1 document;
 * every operation in it is served, and around its paths the gateway serves nothing it does not
 * document (other methods, longer or shorter paths); and real answers, errors included, fit its
 * schemas.
 */
class OpenApiTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH");

  private static JsonNode document;
  private static OpenAPI openApi;
  private static OpenApiContract contract;
  /** A job that has finished, for the paths with {id}. */
  private static String jobId;

  @BeforeAll
  static void readTheDocument() throws Exception {
    HttpResult answer = gateway.get("/v1/openapi.json");
    assertEquals(200, answer.status(), answer::toString);
    assertEquals("application/json", answer.header("Content-Type").orElseThrow());
    document = answer.json();
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(answer.text(), null, options);
    assertTrue(parsed.getMessages() == null || parsed.getMessages().isEmpty(), () -> "" + parsed.getMessages());
    openApi = parsed.getOpenAPI();
    contract = new OpenApiContract(document);
    jobId = JobCalls.start(gateway, "{\"task\":\"echo\",\"inputs\":[{\"a\":1},{\"b\":2}]}");
    JobCalls.awaitFinished(gateway, jobId, Duration.ofSeconds(10));
  }

  @Test
  void isAnOpenApi31DocumentOfTheWholeContract() {
    assertEquals("3.1.0", openApi.getOpenapi());
    assertEquals(
        new TreeSet<>(
            Set.of(
                "/health/live", "/health/ready", "/metrics", "/v1/openapi.json", "/v1/cluster",
                "/v1/tasks", "/v1/tasks/{name}", "/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/events")),
        new TreeSet<>(openApi.getPaths().keySet()));
    assertEquals(
        Set.of("mode", "timeout", "name"),
        Set.copyOf(
            openApi.getPaths().get("/v1/tasks/{name}").getPost().getParameters().stream()
                .map(parameter -> parameter.getName())
                .toList()));
  }

  @Test
  void everyDocumentedOperationIsServed() throws Exception {
    for (Map.Entry<String, PathItem> path : openApi.getPaths().entrySet()) {
      for (PathItem.HttpMethod method : path.getValue().readOperationsMap().keySet()) {
        HttpResult answer = call(method.name(), concrete(path.getKey()), bodyFor(method.name()));
        String what = method + " " + path.getKey() + ": " + answer;
        assertNotEquals(405, answer.status(), what);
        assertTrue(answer.status() != 404 || !isNotFound(answer), what);
      }
    }
  }

  @Test
  void noOtherMethodIsServedOnADocumentedPath() throws Exception {
    for (Map.Entry<String, PathItem> path : openApi.getPaths().entrySet()) {
      Set<String> documented = new TreeSet<>();
      path.getValue().readOperationsMap().keySet().forEach(method -> documented.add(method.name()));
      for (String method : METHODS) {
        if (!documented.contains(method)) {
          HttpResult answer = call(method, concrete(path.getKey()), bodyFor(method));
          assertEquals(405, answer.status(), method + " " + path.getKey() + ": " + answer);
          contract.assertSharedAnswer("MethodNotAllowed", answer.json());
        }
      }
    }
  }

  @Test
  void noPathAroundTheDocumentedOnesIsServed() throws Exception {
    List<String> around =
        List.of(
            "/v1", "/v1/", "/health", "/v1/task", "/v1/tasks/echo/more", "/v1/jobs/" + jobId + "/more",
            "/v1/jobs/" + jobId + "/events/more", "/v1/cluster/more", "/metrics/more",
            "/v1/openapi", "/v1/openapi.yaml", "/health/live/more", "/v2/tasks");
    for (String path : around) {
      for (String method : List.of("GET", "POST")) {
        HttpResult answer = call(method, path, bodyFor(method));
        assertEquals(404, answer.status(), method + " " + path + ": " + answer);
        assertTrue(isNotFound(answer), () -> method + " " + path + ": " + answer);
        contract.assertSharedAnswer("NotFound", answer.json());
      }
    }
  }

  @Test
  void theMetricsRouteTemplatesAreTheDocumentedPaths() {
    List<String> templates = new ArrayList<>(RouteTemplates.of(document).all());
    assertTrue(templates.containsAll(RouteTemplates.DASHBOARD), "the dashboard's templates");
    templates.removeAll(RouteTemplates.DASHBOARD);
    assertEquals(new TreeSet<>(openApi.getPaths().keySet()), new TreeSet<>(templates));
  }

  @Test
  void realAnswersFitTheSchemas() throws Exception {
    assertFits("GET", "/health/live", "/health/live", null, 200);
    assertFits("GET", "/health/ready", "/health/ready", null, 200);
    assertFits("GET", "/v1/openapi.json", "/v1/openapi.json", null, 200);
    assertFits("GET", "/v1/cluster", "/v1/cluster", null, 200);
    assertFits("GET", "/v1/tasks", "/v1/tasks", null, 200);
    assertFits("POST", "/v1/tasks/echo", "/v1/tasks/{name}", "{\"any\":[1,2]}", 200);
    assertFits("POST", "/v1/tasks/primes?mode=thread", "/v1/tasks/{name}", "{\"from\":0,\"to\":1000}", 200);
    assertFits("POST", "/v1/tasks/nope", "/v1/tasks/{name}", "{}", 404);
    assertFits("POST", "/v1/tasks/echo", "/v1/tasks/{name}", "{not json", 400);
    assertFits("POST", "/v1/tasks/echo?mode=warp", "/v1/tasks/{name}", "{}", 400);
    assertFits("POST", "/v1/tasks/echo?colour=red", "/v1/tasks/{name}", "{}", 400);
    assertFits("POST", "/v1/tasks/primes", "/v1/tasks/{name}", "{\"from\":9,\"to\":1}", 400);
    assertFits("POST", "/v1/tasks/sleep?mode=async&timeout=50ms", "/v1/tasks/{name}", "{\"millis\":3000}", 504);
    HttpResult textBody =
        gateway.post("/v1/tasks/echo", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
    assertEquals(415, textBody.status(), textBody::toString);
    contract.assertAnswer("/v1/tasks/{name}", "POST", 415, textBody.json());
    HttpResult huge = gateway.post("/v1/tasks/echo", "\"" + "x".repeat(2 << 20) + "\"");
    assertEquals(413, huge.status(), huge::toString);
    contract.assertAnswer("/v1/tasks/{name}", "POST", 413, huge.json());

    assertFits("POST", "/v1/jobs", "/v1/jobs", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":10000},\"parts\":4}", 202);
    assertFits("POST", "/v1/jobs", "/v1/jobs", "{\"task\":\"echo\"}", 400);
    assertFits("POST", "/v1/jobs", "/v1/jobs", "{\"task\":\"nope\",\"inputs\":[{}]}", 404);
    assertFits("POST", "/v1/jobs", "/v1/jobs", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":10},\"parts\":100000000}", 413);
    assertFits("GET", "/v1/jobs", "/v1/jobs", null, 200);
    assertFits("GET", "/v1/jobs?state=succeeded&limit=5", "/v1/jobs", null, 200);
    assertFits("GET", "/v1/jobs?state=sleeping", "/v1/jobs", null, 400);
    assertFits("GET", "/v1/jobs/" + jobId, "/v1/jobs/{id}", null, 200);
    assertFits("GET", "/v1/jobs/no-such-job", "/v1/jobs/{id}", null, 404);
    assertFits("DELETE", "/v1/jobs/" + jobId, "/v1/jobs/{id}", null, 202);
    assertFits("DELETE", "/v1/jobs/no-such-job", "/v1/jobs/{id}", null, 404);
    assertFits("GET", "/v1/jobs/no-such-job/events", "/v1/jobs/{id}/events", null, 404);
  }

  @Test
  void theSchemasRefuseAnswersThatBreakTheContract() {
    assertThrows(
        AssertionFailedError.class,
        () -> contract.assertAnswer("/v1/tasks", "GET", 200, HttpResult.parse("[{\"name\":1}]")));
    assertThrows(
        AssertionFailedError.class,
        () ->
            contract.assertAnswer(
                "/v1/jobs/{id}", "GET", 404, HttpResult.parse("{\"error\":{\"code\":\"timeout\",\"message\":\"m\"}}")));
    assertThrows(
        AssertionFailedError.class,
        () -> contract.assertAnswer("/v1/jobs/{id}", "GET", 418, HttpResult.parse("{}")));
    assertThrows(AssertionFailedError.class, () -> contract.assertSchema("Job", HttpResult.parse("{}")));
  }

  @Test
  void theEventsOfAJobAreJobsOfTheSchema() throws Exception {
    String id = JobCalls.start(gateway, "{\"task\":\"sleep\",\"inputs\":[{\"millis\":200},{\"millis\":200}],\"mode\":\"async\"}");
    try (EventStream events = EventStream.open(gateway, "/v1/jobs/" + id + "/events", Duration.ofSeconds(10))) {
      assertEquals(200, events.status());
      assertTrue(events.contentType().startsWith("text/event-stream"), events.contentType());
      int seen = 0;
      for (EventStream.Event event = events.next(Duration.ofSeconds(10));
          event != null;
          event = events.next(Duration.ofSeconds(10))) {
        assertTrue(Set.of("progress", "done").contains(event.type()), event::toString);
        contract.assertSchema("Job", HttpResult.parse(event.data()));
        seen++;
      }
      assertTrue(seen >= 1, "at least the done event");
    }
  }

  private static void assertFits(String method, String path, String template, String body, int status)
      throws Exception {
    HttpResult answer = call(method, path, body);
    assertEquals(status, answer.status(), () -> method + " " + path + ": " + answer);
    assertEquals("application/json", answer.header("Content-Type").orElse(null), answer::toString);
    contract.assertAnswer(template, method, status, answer.json());
  }

  private static HttpResult call(String method, String path, String body) throws Exception {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest.Builder request = gateway.request(path).method(method, publisher);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (path.endsWith("/events")) {
      request.header("Accept", "text/event-stream");
    }
    return gateway.send(request);
  }

  /** A JSON body for the methods that carry one. */
  private static String bodyFor(String method) {
    return Set.of("POST", "PUT", "PATCH").contains(method) ? "{}" : null;
  }

  private static String concrete(String template) {
    return template.replace("{name}", "echo").replace("{id}", jobId);
  }

  private static boolean isNotFound(HttpResult answer) {
    return answer.json().path("error").path("code").asText().equals("not_found");
  }
}
