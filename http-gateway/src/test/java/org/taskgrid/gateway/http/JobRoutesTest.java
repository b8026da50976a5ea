package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.abbreviated;
import static org.taskgrid.gateway.http.JobCalls.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * The jobs API against a real gateway that is its own worker: fan-out and gather, input order,
 * cancellation, listings, the event stream, and bodies that must be refused before anything runs.
 */
class JobRoutesTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  private static final Duration FINISH_WITHIN = Duration.ofSeconds(30);
  private static final Duration EVENT_WITHIN = Duration.ofSeconds(10);

  // ---- fan-out and gather ----

  @Test
  void aSplitPrimesJobMergesItsParts() throws Exception {
    String id =
        JobCalls.start(gateway, "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":5000000},\"parts\":64}");
    String createdAt = JobCalls.view(gateway, id).path("createdAt").asText();

    JsonNode job = JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);
    assertAll(
        abbreviated(job),
        () -> assertEquals(id, job.path("id").asText()),
        () -> assertEquals("primes", job.path("task").asText()),
        () -> assertEquals("process", job.path("mode").asText()),
        () -> assertEquals("succeeded", job.path("state").asText()),
        () -> assertEquals(348513, job.path("result").asLong()),
        () -> assertEquals(64, job.path("parts").asInt()),
        () -> assertEquals(64, job.path("done").asInt()),
        () -> assertEquals(0, job.path("failed").asInt()),
        () -> assertEquals(0, job.path("retried").asInt()),
        () -> assertEquals(0, job.path("errors").size()),
        () -> assertEquals(createdAt, job.path("createdAt").asText(), "createdAt never changes"),
        () -> assertFalse(
            Instant.parse(job.path("finishedAt").asText()).isBefore(Instant.parse(createdAt))));
  }

  @Test
  void anInputsJobKeepsTheResultsInInputOrder() throws Exception {
    int count = 10_000;
    StringBuilder body = new StringBuilder("{\"task\":\"echo\",\"inputs\":[");
    for (int i = 0; i < count; i++) {
      body.append(i == 0 ? "" : ",").append("{\"i\":").append(i).append('}');
    }
    String id = JobCalls.start(gateway, body.append("]}").toString());

    JsonNode job = JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);
    assertEquals("succeeded", job.path("state").asText(), () -> abbreviated(job));
    assertEquals("async", job.path("mode").asText());
    assertEquals(count, job.path("parts").asInt());
    assertEquals(count, job.path("done").asInt());
    JsonNode result = job.path("result");
    assertEquals(count, result.size());
    for (int i = 0; i < count; i++) {
      assertEquals(i, result.get(i).path("i").asInt(), "result " + i);
      assertEquals(1, result.get(i).size(), "result " + i);
    }
  }

  @Test
  void aSha256JobRunsEachInputInThreadMode() throws Exception {
    String id =
        JobCalls.start(
            gateway,
            """
            {"task": "sha256", "mode": "thread",
             "inputs": [{"text": "a", "rounds": 1000}, {"text": "b", "rounds": 1000}, {"text": "é"}]}
            """);

    JsonNode job = JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);
    assertEquals("succeeded", job.path("state").asText(), () -> abbreviated(job));
    assertEquals("thread", job.path("mode").asText());
    assertEquals(
        HttpResult.parse(
            "[\"" + sha256("a", 1000) + "\",\"" + sha256("b", 1000) + "\",\"" + sha256("é", 1) + "\"]"),
        job.path("result"));
  }

  // ---- cancellation ----

  @Test
  void cancellingARunningJobStopsItsParts() throws Exception {
    // 400 one-second sleeps: 256 at once in the job's window, 64 of them on the blocking pool.
    String id = JobCalls.start(gateway, sleeps(400, "thread", 1000));
    assertEquals("running", JobCalls.view(gateway, id).path("state").asText());

    HttpResult cancel = gateway.delete("/v1/jobs/" + id);
    assertEquals(202, cancel.status(), cancel::toString);
    assertEquals(id, cancel.json().path("id").asText(), cancel::toString);

    JsonNode job = JobCalls.awaitFinished(gateway, id, Duration.ofSeconds(10));
    assertEquals("cancelled", job.path("state").asText(), () -> abbreviated(job));
    assertTrue(job.path("result").isNull(), () -> abbreviated(job));
    assertTrue(job.path("finishedAt").isTextual(), () -> abbreviated(job));
    assertTrue(job.path("done").asInt() < 400, () -> abbreviated(job));

    Thread.sleep(1200);
    JsonNode later = JobCalls.view(gateway, id);
    assertEquals(job.path("done"), later.path("done"), "no part finished after the cancel");
    assertEquals("cancelled", later.path("state").asText());
    assertEquals(job.path("finishedAt"), later.path("finishedAt"));

    // Had the parts not been stopped, the blocking pool would be busy for seconds more.
    HttpResult call = gateway.post("/v1/tasks/sleep?mode=thread&timeout=2s", "{\"millis\":1}");
    assertEquals(200, call.status(), () -> "the blocking pool is still busy: " + call);

    HttpResult again = gateway.delete("/v1/jobs/" + id);
    assertEquals(202, again.status(), () -> "cancelling twice is harmless: " + again);
    assertEquals("cancelled", again.json().path("state").asText(), again::toString);
  }

  // ---- listings and unknown jobs ----

  @Test
  void theListingShowsTheNewestFirstAndHonoursStateAndLimit() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(JobCalls.start(gateway, "{\"task\":\"echo\",\"inputs\":[{\"n\":" + i + "}]}"));
    }
    for (String id : ids) {
      JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);
    }
    List<String> newestFirst = List.of(ids.get(2), ids.get(1), ids.get(0));

    JsonNode limited = listing("/v1/jobs?limit=3");
    assertEquals(newestFirst, idsOf(limited));

    JsonNode succeeded = listing("/v1/jobs?state=succeeded&limit=3");
    assertEquals(newestFirst, idsOf(succeeded));
    for (JsonNode job : succeeded) {
      assertEquals("succeeded", job.path("state").asText());
      assertTrue(job.path("result").isNull(), "a listing carries no results: " + job);
    }

    JsonNode all = listing("/v1/jobs");
    assertTrue(all.size() >= 3 && all.size() <= 50, () -> "default limit 50: " + all.size());
    assertEquals(newestFirst, idsOf(all).subList(0, 3));
    for (String state : List.of("running", "failed", "cancelled")) {
      for (JsonNode job : listing("/v1/jobs/?state=" + state)) {
        assertEquals(state, job.path("state").asText(), job::toString);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "state=bogus", "state=RUNNING", "state=", "state=running&state=failed",
        "limit=0", "limit=-1", "limit=1001", "limit=abc", "limit=", "limit=1.5", "limit=99999999999",
        "page=2"
      })
  void aBadListingQueryIsRefusedNamingTheParameter(String query) throws Exception {
    String field = query.substring(0, query.indexOf('='));
    assertError(gateway.get("/v1/jobs?" + query), 400, "invalid_input", field);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nope", "00000000-0000-0000-0000-000000000000"})
  void anUnknownJobIs404ForEveryMethod(String id) throws Exception {
    assertError(gateway.get("/v1/jobs/" + id), 404, "unknown_job", null);
    assertError(gateway.delete("/v1/jobs/" + id), 404, "unknown_job", null);
    assertError(gateway.get("/v1/jobs/" + id + "/events"), 404, "unknown_job", null);
  }

  // ---- the event stream ----

  @Test
  void theEventStreamShowsProgressThenOneDoneThenEnds() throws Exception {
    // Sleeps of 20 to 100 ms on the 64 threads of the blocking pool: about 1.5 s of steady progress.
    int parts = 1500;
    StringBuilder body = new StringBuilder("{\"task\":\"sleep\",\"mode\":\"thread\",\"inputs\":[");
    for (int i = 0; i < parts; i++) {
      body.append(i == 0 ? "" : ",").append("{\"millis\":").append(20 + (i % 5) * 20).append('}');
    }
    String id = JobCalls.start(gateway, body.append("]}").toString());

    List<JsonNode> progress = new ArrayList<>();
    JsonNode done;
    long start = System.nanoTime();
    long end;
    try (EventStream events = EventStream.open(gateway, "/v1/jobs/" + id + "/events", EVENT_WITHIN)) {
      assertEquals(200, events.status());
      assertTrue(events.contentType().startsWith("text/event-stream"), events.contentType());
      EventStream.Event event = events.next(EVENT_WITHIN);
      for (int i = 0; event != null && event.type().equals("progress") && i < 10_000; i++) {
        progress.add(HttpResult.parse(event.data()));
        event = events.next(EVENT_WITHIN);
      }
      assertNotNull(event, "the stream ended without a done event");
      assertEquals("done", event.type(), event::toString);
      end = event.nanos();
      done = HttpResult.parse(event.data());
      assertNull(events.next(Duration.ofSeconds(5)), "the stream ends after done");
    }

    assertFalse(progress.isEmpty(), "at least one progress event");
    int lastDone = 0;
    for (JsonNode view : progress) {
      assertEquals("running", view.path("state").asText(), view::toString);
      assertEquals(id, view.path("id").asText());
      assertTrue(view.path("done").asInt() >= lastDone, "progress never goes back");
      lastDone = view.path("done").asInt();
    }
    assertTrue(
        progress.stream().anyMatch(view -> view.path("done").asInt() > 0 && view.path("done").asInt() < parts),
        () -> "some progress between start and end: " + progress.size() + " events");
    double seconds = (end - start) / 1e9;
    // At most one per progress interval (100 ms), plus the view the stream starts with.
    assertTrue(
        progress.size() <= 10 * seconds + 3,
        () -> progress.size() + " progress events in " + seconds + " s");

    assertEquals("succeeded", done.path("state").asText(), () -> abbreviated(done));
    assertEquals(parts, done.path("done").asInt());
    assertEquals(parts, done.path("result").size());
    assertTrue(done.path("finishedAt").isTextual());
    assertEquals(JobCalls.view(gateway, id), done, "done carries the final view");
  }

  @Test
  void aFollowerOfAFinishedJobGetsDoneAtOnce() throws Exception {
    String id = JobCalls.start(gateway, "{\"task\":\"echo\",\"inputs\":[{\"x\":1},{\"x\":2}]}");
    JsonNode job = JobCalls.awaitFinished(gateway, id, FINISH_WITHIN);

    try (EventStream events = EventStream.open(gateway, "/v1/jobs/" + id + "/events", EVENT_WITHIN)) {
      assertEquals(200, events.status());
      EventStream.Event event = events.next(Duration.ofSeconds(5));
      assertNotNull(event, "the stream ended without an event");
      assertEquals("done", event.type(), event::toString);
      assertEquals(job, HttpResult.parse(event.data()));
      assertNull(events.next(Duration.ofSeconds(5)), "the stream ends after done");
    }
  }

  // ---- bodies refused before anything runs ----

  /** A body and the error it must get. */
  record Hostile(String name, String body, int status, String code, String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Hostile> hostileBodies() {
    return Stream.of(
        bad("parts 0", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":0}", 400, "invalid_input", "parts"),
        bad("parts -1", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":-1}", 400, "invalid_input", "parts"),
        bad("parts 10^12", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":1000000000000}", 413, "too_large", "parts"),
        bad("parts over max-parts", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":100001}", 413, "too_large", "parts"),
        bad("parts \"5\"", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":\"5\"}", 400, "invalid_input", "parts"),
        bad("parts 1.5", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":1.5}", 400, "invalid_input", "parts"),
        bad("parts 2.0", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":2.0}", 400, "invalid_input", "parts"),
        bad("parts null", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":null}", 400, "invalid_input", "parts"),
        bad("input without parts", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100}}", 400, "invalid_input", "parts"),
        bad("parts without input", "{\"task\":\"primes\",\"parts\":4}", 400, "invalid_input", "input"),
        bad("inputs not a list", "{\"task\":\"echo\",\"inputs\":{\"a\":1}}", 400, "invalid_input", "inputs"),
        bad("inputs a string", "{\"task\":\"echo\",\"inputs\":\"[1]\"}", 400, "invalid_input", "inputs"),
        bad("inputs empty", "{\"task\":\"echo\",\"inputs\":[]}", 400, "invalid_input", "inputs"),
        bad("100 001 inputs", "{\"task\":\"echo\",\"inputs\":[" + "{},".repeat(100_000) + "{}]}", 413, "too_large", "inputs"),
        bad("missing task", "{\"inputs\":[{}]}", 400, "invalid_input", "task"),
        bad("task not a string", "{\"task\":7,\"inputs\":[{}]}", 400, "invalid_input", "task"),
        bad("task null", "{\"task\":null,\"inputs\":[{}]}", 400, "invalid_input", "task"),
        bad("unknown task", "{\"task\":\"nope\",\"inputs\":[{}]}", 404, "unknown_task", null),
        bad("input and parts for echo, which does not split", "{\"task\":\"echo\",\"input\":{},\"parts\":2}", 400, "invalid_input", "parts"),
        bad("both input and inputs", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100},\"parts\":2,\"inputs\":[{\"from\":0,\"to\":1}]}", 400, "invalid_input", "inputs"),
        bad("neither input nor inputs", "{\"task\":\"echo\"}", 400, "invalid_input", "input"),
        bad("an unknown body field", "{\"task\":\"echo\",\"inputs\":[{}],\"priority\":1}", 400, "invalid_input", "priority"),
        bad("an invalid part input", "{\"task\":\"sha256\",\"inputs\":[{\"text\":\"a\"},{\"text\":5}]}", 400, "invalid_input", "inputs[1].text"),
        bad("a part input that is null", "{\"task\":\"sha256\",\"inputs\":[null]}", 400, "invalid_input", "inputs[0]"),
        bad("an invalid split input", "{\"task\":\"primes\",\"input\":{\"from\":10,\"to\":5},\"parts\":4}", 400, "invalid_input", "input.to"),
        bad("mode banana", "{\"task\":\"echo\",\"mode\":\"banana\",\"inputs\":[{}]}", 400, "unsupported_mode", "mode"),
        bad("mode async for primes", "{\"task\":\"primes\",\"mode\":\"async\",\"input\":{\"from\":0,\"to\":100},\"parts\":2}", 400, "unsupported_mode", "mode"),
        bad("mode a number", "{\"task\":\"echo\",\"mode\":1,\"inputs\":[{}]}", 400, "unsupported_mode", "mode"),
        bad("a list for a body", "[{\"task\":\"echo\",\"inputs\":[{}]}]", 400, "invalid_input", null),
        bad("a string for a body", "\"echo\"", 400, "invalid_input", null),
        bad("null for a body", "null", 400, "invalid_input", null),
        bad("malformed JSON", "{\"task\":\"echo\",\"inputs\":[{}", 400, "malformed_json", null),
        bad("a duplicate key", "{\"task\":\"echo\",\"task\":\"primes\",\"inputs\":[{}]}", 400, "malformed_json", null),
        bad("an empty body", "", 400, "malformed_json", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileBodies")
  void aHostileJobBodyIsRefusedAndTheGatewaySurvives(Hostile hostile) throws Exception {
    HttpResult answer = gateway.post("/v1/jobs", hostile.body());
    assertAll(hostile.name(), () -> assertError(answer, hostile.status(), hostile.code(), hostile.field()));

    HttpResult live = gateway.get("/health/live");
    assertEquals(200, live.status(), () -> "after " + hostile.name() + ": " + live);
  }

  // ---- helpers ----

  private static Hostile bad(String name, String body, int status, String code, String field) {
    return new Hostile(name, body, status, code, field);
  }

  private static JsonNode listing(String pathAndQuery) throws Exception {
    HttpResult answer = gateway.get(pathAndQuery);
    assertEquals(200, answer.status(), answer::toString);
    assertTrue(answer.json().isArray(), answer::toString);
    return answer.json();
  }

  private static List<String> idsOf(JsonNode listing) {
    List<String> ids = new ArrayList<>();
    listing.forEach(job -> ids.add(job.path("id").asText()));
    return ids;
  }

  /** A sleep job of {@code count} parts of {@code millis} each. */
  static String sleeps(int count, String mode, long millis) {
    StringBuilder body =
        new StringBuilder("{\"task\":\"sleep\",\"mode\":\"" + mode + "\",\"inputs\":[");
    for (int i = 0; i < count; i++) {
      body.append(i == 0 ? "" : ",").append("{\"millis\":").append(millis).append('}');
    }
    return body.append("]}").toString();
  }

  private static String sha256(String text, int rounds) throws Exception {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] digest = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
    for (int i = 1; i < rounds; i++) {
      digest = sha256.digest(digest);
    }
    return HexFormat.of().formatHex(digest);
  }
}
