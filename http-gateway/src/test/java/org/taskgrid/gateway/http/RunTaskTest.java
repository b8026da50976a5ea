package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/** {@code POST /v1/tasks/{name}}: the task runs where its mode says, and the answer says so. */
class RunTaskTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  @Test
  void primesRunsInProcessModeOnTheCpuPool() throws Exception {
    JsonNode answer = ok(gateway.post("/v1/tasks/primes", "{\"from\":0,\"to\":1000000}"));
    assertEquals("primes", answer.path("task").asText());
    assertEquals(78498, answer.path("result").asLong());
    assertEquals("process", answer.path("mode").asText());
    assertTrue(
        answer.path("node").asText().startsWith("akka://taskgrid@127.0.0.1:"), answer::toString);
    assertTrue(
        answer.path("thread").asText().contains("taskgrid.dispatchers.cpu"), answer::toString);
    assertEquals(1, answer.path("attempts").asInt());
    assertTrue(answer.path("millis").isIntegralNumber() && answer.path("millis").asLong() >= 0);
  }

  @Test
  void sleepInThreadModeBlocksABlockingPoolThread() throws Exception {
    JsonNode answer = ok(gateway.post("/v1/tasks/sleep?mode=thread", "{\"millis\":20}"));
    assertEquals("thread", answer.path("mode").asText());
    assertEquals(20, answer.path("result").path("slept").asLong());
    assertTrue(
        answer.path("thread").asText().contains("taskgrid.dispatchers.blocking"), answer::toString);
    assertTrue(answer.path("millis").asLong() >= 20, answer::toString);
  }

  @Test
  void sleepInAsyncModeHoldsNoThread() throws Exception {
    JsonNode answer = ok(gateway.post("/v1/tasks/sleep?mode=async", "{\"millis\":20}"));
    assertEquals("async", answer.path("mode").asText());
    assertEquals(20, answer.path("result").path("slept").asLong());
    assertEquals("none", answer.path("thread").asText());
  }

  @Test
  void echoReturnsItsInputUnchanged() throws Exception {
    String input =
        """
        {"text": "grüße, 日本語, emoji 🚀👩‍💻, escapes \\" \\\\ \\n \\u0000",
         "nested": {"list": [1, -2, 3.25, true, false, null, {"deep": [[[]]]}], "empty": {}},
         "big": 12345678901234567890123}
        """;
    JsonNode answer = ok(gateway.post("/v1/tasks/echo", input));
    assertEquals("async", answer.path("mode").asText());
    assertEquals(HttpResult.parse(input), answer.path("result"));
    assertEquals("grüße, 日本語, emoji 🚀👩‍💻, escapes \" \\ \n \u0000",
        answer.path("result").path("text").asText());
  }

  @Test
  void echoRunsInEveryMode() throws Exception {
    for (String mode : new String[] {"thread", "process", "async"}) {
      JsonNode answer = ok(gateway.post("/v1/tasks/echo?mode=" + mode, "[\"ünï\", 1]"));
      assertEquals(mode, answer.path("mode").asText());
      assertEquals(HttpResult.parse("[\"ünï\", 1]"), answer.path("result"));
    }
  }

  @Test
  void sha256HashesTheTextThenItsDigest() throws Exception {
    JsonNode once = ok(gateway.post("/v1/tasks/sha256", "{\"text\":\"abc\"}"));
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        once.path("result").asText());

    JsonNode thrice = ok(gateway.post("/v1/tasks/sha256?mode=thread", "{\"text\":\"é\",\"rounds\":3}"));
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] digest = sha256.digest("é".getBytes(StandardCharsets.UTF_8));
    digest = sha256.digest(digest);
    digest = sha256.digest(digest);
    assertEquals(HexFormat.of().formatHex(digest), thrice.path("result").asText());
  }

  @Test
  void wordcountCountsLowerCasedWords() throws Exception {
    JsonNode answer =
        ok(gateway.post("/v1/tasks/wordcount", "{\"text\":\"The cat and the hat.\\nTHE end, don't\"}"));
    assertEquals(
        HttpResult.parse(
            "{\"words\":8,\"counts\":{\"and\":1,\"cat\":1,\"don't\":1,\"end\":1,\"hat\":1,\"the\":3}}"),
        answer.path("result"));
  }

  @Test
  void curlsDefaultContentTypeIsTakenAsJson() throws Exception {
    JsonNode answer =
        ok(
            gateway.post(
                "/v1/tasks/primes",
                "application/x-www-form-urlencoded",
                "{\"from\":0,\"to\":100}".getBytes(StandardCharsets.UTF_8)));
    assertEquals(25, answer.path("result").asLong());
  }

  @Test
  void aBodyWithoutContentTypeIsTakenAsJson() throws Exception {
    JsonNode answer =
        ok(
            gateway.send(
                gateway
                    .request("/v1/tasks/primes?timeout=5s")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"from\":0,\"to\":100}"))));
    assertEquals(25, answer.path("result").asLong());
  }

  private static JsonNode ok(HttpResult result) {
    assertEquals(200, result.status(), result::toString);
    assertEquals("application/json", result.header("Content-Type").orElseThrow(), result::toString);
    return result.json();
  }
}
