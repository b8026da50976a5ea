package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * Hostile and broken requests, one a row: each gets the exact status and JSON error code of the
 * contract (and names the bad field where there is one), and the gateway still answers afterwards.
 */
class HostileInputTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  private static final int MIB = 1024 * 1024;

  static Stream<Hostile> cases() {
    return Stream.of(
        // The body is not JSON.
        post("truncated JSON", "/v1/tasks/primes", "{\"from\":0,\"to\":", error(400, "malformed_json")),
        post("tokens after the document", "/v1/tasks/primes", "{\"from\":0,\"to\":10} x", error(400, "malformed_json")),
        post("single-quoted JSON", "/v1/tasks/primes", "{'from':0,'to':10}", error(400, "malformed_json")),
        post("100 000 nested '['", "/v1/tasks/echo", "[".repeat(100_000), error(400, "malformed_json")),
        post("100 000 nested objects", "/v1/tasks/echo", "{\"a\":".repeat(100_000), error(400, "malformed_json")),
        post("NaN literal", "/v1/tasks/primes", "{\"from\":NaN,\"to\":10}", error(400, "malformed_json")),
        post("Infinity literal", "/v1/tasks/primes", "{\"from\":0,\"to\":Infinity}", error(400, "malformed_json")),
        post("-Infinity literal", "/v1/tasks/primes", "{\"from\":-Infinity,\"to\":10}", error(400, "malformed_json")),
        post("a 5000-digit number", "/v1/tasks/primes", "{\"from\":" + "9".repeat(5000) + ",\"to\":1}", error(400, "malformed_json")),
        post("empty body", "/v1/tasks/primes", "", error(400, "malformed_json")),
        post("whitespace-only body", "/v1/tasks/echo", " \r\n\t ", error(400, "malformed_json")),
        raw("invalid UTF-8 bytes inside a JSON string",
            rawPost("/v1/tasks/sha256", "application/json", bytes("{\"text\":\"a", 0xff, 0xfe, 0xc0, 0xaf, "b\"}")),
            error(400, "malformed_json")),
        raw("a broken chunk size",
            "POST /v1/tasks/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            errorOneOf(400, "malformed_json", "bad_request")),

        // JSON, but not a valid input: the field is named.
        post("string for 'from'", "/v1/tasks/primes", "{\"from\":\"0\",\"to\":10}", error(400, "invalid_input", "from")),
        post("float 1.5 for 'from'", "/v1/tasks/primes", "{\"from\":1.5,\"to\":10}", error(400, "invalid_input", "from")),
        post("1e999 for 'from'", "/v1/tasks/primes", "{\"from\":1e999,\"to\":10}", error(400, "invalid_input", "from")),
        post("boolean for 'to'", "/v1/tasks/primes", "{\"from\":0,\"to\":true}", error(400, "invalid_input", "to")),
        post("an array as input", "/v1/tasks/primes", "[0,10]", error(400, "invalid_input")),
        post("JSON null as input", "/v1/tasks/primes", "null", error(400, "invalid_input")),
        post("a string as input", "/v1/tasks/sha256", "\"abc\"", error(400, "invalid_input")),
        post("'from' beyond a long", "/v1/tasks/primes", "{\"from\":99999999999999999999,\"to\":1}", error(400, "invalid_input", "from")),
        post("reversed range", "/v1/tasks/primes", "{\"from\":10,\"to\":5}", error(400, "invalid_input", "to")),
        post("negative 'from'", "/v1/tasks/primes", "{\"from\":-1,\"to\":5}", error(400, "invalid_input", "from")),
        post("primes range over max-range", "/v1/tasks/primes", "{\"from\":0,\"to\":1000000001}", error(400, "invalid_input", "to")),
        post("primes 'to' over max-to", "/v1/tasks/primes", "{\"from\":1000000000000,\"to\":1000000000001}", error(400, "invalid_input", "to")),
        post("primes without 'to'", "/v1/tasks/primes", "{\"from\":0}", error(400, "invalid_input", "to")),
        post("primes without 'from'", "/v1/tasks/primes", "{}", error(400, "invalid_input", "from")),
        post("sha256 rounds 0", "/v1/tasks/sha256", "{\"text\":\"a\",\"rounds\":0}", error(400, "invalid_input", "rounds")),
        post("sha256 rounds over max-rounds", "/v1/tasks/sha256", "{\"text\":\"a\",\"rounds\":100000001}", error(400, "invalid_input", "rounds")),
        post("sha256 without 'text'", "/v1/tasks/sha256", "{\"rounds\":1}", error(400, "invalid_input", "text")),
        post("sha256 'text' a number", "/v1/tasks/sha256", "{\"text\":5}", error(400, "invalid_input", "text")),
        post("sleep millis over max", "/v1/tasks/sleep", "{\"millis\":60001}", error(400, "invalid_input", "millis")),
        post("sleep millis negative, async", "/v1/tasks/sleep?mode=async", "{\"millis\":-1}", error(400, "invalid_input", "millis")),
        post("sleep with 'ms' for 'millis' (a typo is named)", "/v1/tasks/sleep", "{\"ms\":10}", error(400, "invalid_input", "ms")),
        post("wordcount 'text' null", "/v1/tasks/wordcount", "{\"text\":null}", error(400, "invalid_input", "text")),
        post("sleep with a field it does not know (a pad that would pin memory)",
            "/v1/tasks/sleep?mode=async", "{\"millis\":60000,\"pad\":[[],[],[]]}", error(400, "invalid_input", "pad")),
        post("primes with a field it does not know", "/v1/tasks/primes", "{\"from\":0,\"to\":10,\"step\":2}", error(400, "invalid_input", "step")),
        post("sha256 with a field it does not know", "/v1/tasks/sha256", "{\"text\":\"a\",\"round\":2}", error(400, "invalid_input", "round")),
        post("wordcount with a field it does not know", "/v1/tasks/wordcount", "{\"text\":\"a\",\"lang\":\"en\"}", error(400, "invalid_input", "lang")),
        post("a job whose split input has a field the task does not know", "/v1/jobs",
            "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":10,\"x\":1},\"parts\":2}",
            error(400, "invalid_input", "input.x")),

        // Not JSON at all, or too much of it.
        post("text/plain body", "/v1/tasks/primes", "text/plain", "{\"from\":0,\"to\":10}", error(415, "unsupported_media_type")),
        post("application/xml body", "/v1/tasks/primes", "application/xml", "<range from='0'/>", error(415, "unsupported_media_type")),
        post("multipart body", "/v1/tasks/echo", "multipart/form-data; boundary=x", "--x--", error(415, "unsupported_media_type")),
        call("a 2 MiB body", () -> gateway.post("/v1/tasks/echo", "application/json", twoMibJson()), error(413, "too_large")),
        call("a 2 MiB chunked body",
            () -> gateway.send(
                gateway.request("/v1/tasks/echo")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(twoMibJson())))),
            error(413, "too_large")),

        // The query.
        post("unknown query parameter", "/v1/tasks/echo?verbose=1", "{}", error(400, "invalid_input", "verbose")),
        post("mode given twice", "/v1/tasks/echo?mode=thread&mode=async", "{}", error(400, "invalid_input", "mode")),
        post("mode=banana", "/v1/tasks/echo?mode=banana", "{}", error(400, "unsupported_mode", "mode")),
        post("mode=async for primes", "/v1/tasks/primes?mode=async", "{\"from\":0,\"to\":10}", error(400, "unsupported_mode", "mode")),
        post("mode=THREAD (case matters)", "/v1/tasks/echo?mode=THREAD", "{}", error(400, "unsupported_mode", "mode")),
        post("timeout=abc", "/v1/tasks/echo?timeout=abc", "{}", error(400, "invalid_input", "timeout")),
        post("timeout=0s", "/v1/tasks/echo?timeout=0s", "{}", error(400, "invalid_input", "timeout")),
        post("timeout=99999m", "/v1/tasks/echo?timeout=99999m", "{}", error(400, "invalid_input", "timeout")),
        post("timeout=-1s", "/v1/tasks/echo?timeout=-1s", "{}", error(400, "invalid_input", "timeout")),
        post("timeout=1h", "/v1/tasks/echo?timeout=1h", "{}", error(400, "invalid_input", "timeout")),
        post("timeout of 10 digits", "/v1/tasks/echo?timeout=1000000000ms", "{}", error(400, "invalid_input", "timeout")),

        // Paths and methods.
        post("encoded path traversal", "/v1/tasks/..%2F..%2Fetc%2Fpasswd", "{}", errorOneOf(404, "unknown_task", "not_found")),
        post("encoded dot-dot", "/v1/tasks/%2e%2e", "{}", errorOneOf(404, "unknown_task", "not_found")),
        raw("raw path traversal",
            "POST /v1/tasks/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
            errorOneOf(404, "unknown_task", "not_found")),
        post("task name of NUL, quote and brace", "/v1/tasks/%00%22%7D", "{}", error(404, "unknown_task")),
        post("unknown task", "/v1/tasks/nope", "{}", error(404, "unknown_task")),
        call("unknown route", () -> gateway.get("/nope"), error(404, "not_found")),
        post("below a task", "/v1/tasks/echo/extra", "{}", error(404, "not_found")),
        call("GET a task", () -> gateway.get("/v1/tasks/echo"), error(405, "method_not_allowed").allowing("POST")),
        call("PUT a task",
            () -> gateway.send(gateway.request("/v1/tasks/echo").PUT(HttpRequest.BodyPublishers.ofString("{}"))),
            error(405, "method_not_allowed").allowing("POST")),
        call("DELETE a task",
            () -> gateway.send(gateway.request("/v1/tasks/echo").DELETE()),
            error(405, "method_not_allowed").allowing("POST")),
        post("POST the task list", "/v1/tasks", "{}", error(405, "method_not_allowed").allowing("GET")),
        post("POST a health check", "/health/live", "{}", error(405, "method_not_allowed").allowing("GET")),

        // Requests from web pages of other sites, and names that are not the gateway's.
        call("a cross-origin form POST (CSRF)",
            () -> gateway.send(
                gateway.request("/v1/jobs")
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Origin", "https://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"task\":\"echo\",\"inputs\":[1]}"))),
            error(403, "forbidden_origin")),
        call("Origin: null (a sandboxed page)",
            () -> gateway.send(
                gateway.request("/v1/tasks/echo").header("Origin", "null").POST(HttpRequest.BodyPublishers.ofString("{}"))),
            error(403, "forbidden_origin")),
        call("Sec-Fetch-Site: cross-site without Origin",
            () -> gateway.send(gateway.request("/v1/tasks").header("Sec-Fetch-Site", "cross-site").GET()),
            error(403, "forbidden_origin")),
        raw("Host: evil.example (DNS rebinding)",
            "GET /v1/tasks HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n", error(403, "forbidden_origin")),
        raw("Host: evil.example with the gateway's own port",
            "POST /v1/tasks/echo HTTP/1.1\r\nHost: evil.example:8080\r\nOrigin: http://evil.example:8080\r\n"
                + "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
            error(403, "forbidden_origin")),

        // Requests too broken to reach a route.
        raw("garbage request line", "GARBAGE / HTTP/1.1\r\nHost: localhost\r\n\r\n", error(501, "bad_request")),
        raw("control bytes for a request line", "\u0001\u0002 \u0003\r\n\r\n", error(501, "bad_request")),
        raw("header line without a colon",
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n", error(400, "bad_request")),
        raw("control byte in a header name",
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-B\u0001d: v\r\n\r\n", error(400, "bad_request")),
        raw("NUL in a header value",
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\u0000b\r\n\r\n", error(400, "bad_request")),
        raw("a 10 KB URI",
            "GET /v1/tasks/" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", error(414, "too_large")),
        raw("100 headers", "GET /health/live HTTP/1.1\r\nHost: localhost\r\n" + manyHeaders(100) + "\r\n", error(400, "bad_request")),
        raw("10 000 nested '(' in User-Agent",
            "GET /v1/tasks HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + "(".repeat(10_000) + "\r\nConnection: close\r\n\r\n",
            anyWellFormed()),
        raw("7 000 nested '(' in User-Agent (under the header limit)",
            "GET /v1/tasks HTTP/1.1\r\nHost: localhost\r\nUser-Agent: " + "(".repeat(7_000) + "\r\nConnection: close\r\n\r\n",
            anyWellFormed()),
        raw("HTTP/9.9", "GET /health/live HTTP/9.9\r\nHost: localhost\r\n\r\n", error(505, "bad_request")),
        raw("bad percent-encoding in the query",
            "POST /v1/tasks/echo?mode=%zz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}", error(400, "bad_request")),
        raw("Content-Length not a number",
            "POST /v1/tasks/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n{}", error(400, "bad_request")),
        raw("Content-Length and chunked together (request smuggling)",
            "POST /v1/tasks/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n",
            error(400, "bad_request")),
        raw("absolute URI that disagrees with Host",
            "POST http://evil.example/v1/tasks/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}",
            error(400, "bad_request")),
        raw("CONNECT", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n", error(400, "bad_request")),
        raw("HTTP/1.1 without Host", "GET /health/live HTTP/1.1\r\n\r\n", error(400, "bad_request")),

        // Valid, but the task takes longer than it may.
        post("sleep past its timeout", "/v1/tasks/sleep?timeout=200ms", "{\"millis\":5000}", error(504, "timeout")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void isAnsweredWithAJsonErrorAndTheGatewaySurvives(Hostile hostile) throws Exception {
    HttpResult answer = hostile.request().send();
    // assertAll names the case in the report, where surefire shows only its index.
    assertAll(hostile.name(), () -> hostile.expected().check(answer));

    HttpResult live = gateway.get("/health/live");
    assertEquals(200, live.status(), () -> "after " + hostile.name() + ": " + live);
  }

  /** One hostile request and the answer it must get. */
  record Hostile(String name, Request request, Expected expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  @FunctionalInterface
  interface Request {
    HttpResult send() throws Exception;
  }

  /**
   * The answer a hostile request must get: a status (null: any), one of some error codes (empty:
   * any), the field when {@code checkField} (null: the error names none), and for a 405 the
   * {@code Allow} header (null: any).
   */
  record Expected(Integer status, Set<String> codes, boolean checkField, String field, String allow) {
    Expected allowing(String methods) {
      return new Expected(status, codes, checkField, field, methods);
    }

    void check(HttpResult answer) {
      if (status == null && answer.status() < 400) {
        // Any well-formed answer: the request was good enough to serve.
        assertEquals("application/json", answer.header("Content-Type").orElse(null), answer::toString);
        answer.json();
        return;
      }
      if (status != null) {
        assertEquals(status.intValue(), answer.status(), answer::toString);
      }
      assertEquals("application/json", answer.header("Content-Type").orElse(null), answer::toString);
      JsonNode error = answer.json().path("error");
      assertTrue(error.path("code").isTextual(), answer::toString);
      assertTrue(error.path("message").isTextual(), answer::toString);
      assertFalse(error.path("message").asText().isBlank(), answer::toString);
      if (!codes.isEmpty()) {
        assertTrue(codes.contains(error.path("code").asText()), () -> "code not in " + codes + ": " + answer);
      }
      if (checkField) {
        assertEquals(field, error.path("field").textValue(), answer::toString);
      }
      if (answer.status() == 405) {
        assertTrue(answer.header("Allow").isPresent(), () -> "405 without Allow: " + answer);
        if (allow != null) {
          assertEquals(allow, answer.header("Allow").get(), answer::toString);
        }
      }
    }
  }

  private static Expected error(int status, String code) {
    return new Expected(status, Set.of(code), true, null, null);
  }

  private static Expected error(int status, String code, String field) {
    return new Expected(status, Set.of(code), true, field, null);
  }

  private static Expected errorOneOf(int status, String... codes) {
    return new Expected(status, Set.of(codes), false, null, null);
  }

  /** Served, or refused with some JSON error: either way an answer, and no crash. */
  private static Expected anyWellFormed() {
    return new Expected(null, Set.of(), false, null, null);
  }

  private static Hostile post(String name, String path, String json, Expected expected) {
    return call(name, () -> gateway.post(path, json), expected);
  }

  private static Hostile post(
      String name, String path, String contentType, String body, Expected expected) {
    return call(
        name, () -> gateway.post(path, contentType, body.getBytes(StandardCharsets.UTF_8)), expected);
  }

  private static Hostile call(String name, Request request, Expected expected) {
    return new Hostile(name, request, expected);
  }

  private static Hostile raw(String name, String request, Expected expected) {
    return call(name, () -> gateway.raw(request), expected);
  }

  private static Hostile raw(String name, byte[] request, Expected expected) {
    return call(name, () -> gateway.raw(request), expected);
  }

  private static byte[] rawPost(String path, String contentType, byte[] body) {
    String head =
        "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType
            + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    return concat(List.of(head.getBytes(StandardCharsets.ISO_8859_1), body));
  }

  /** Text (UTF-8) and single bytes, in order. */
  private static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      } else {
        out.write((Integer) part);
      }
    }
    return out.toByteArray();
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static byte[] twoMibJson() {
    return ("\"" + "a".repeat(2 * MIB) + "\"").getBytes(StandardCharsets.UTF_8);
  }

  private static String manyHeaders(int count) {
    StringBuilder headers = new StringBuilder();
    for (int i = 0; i < count; i++) {
      headers.append("X-Header-").append(i).append(": ").append(i).append("\r\n");
    }
    return headers.toString();
  }
}
