package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.assertError;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * With API tokens configured every {@code /v1} request needs {@code Authorization: Bearer <token>}
 * with one of them, and health stays open. (Every other test's gateway has no tokens and needs
 * none.)
 */
class ApiTokensTest {
  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig("taskgrid.gateway.api-tokens = \"alpha, beta\"");

  @ParameterizedTest(name = "Authorization: {0}")
  @ValueSource(
      strings = {
        "Bearer gamma", "Bearer alph", "Bearer alphabeta", "Bearer alpha,beta", "Bearer ",
        "Basic YWxwaGE6YWxwaGE=", "alpha", "Token alpha"
      })
  void aWrongTokenIsUnauthorized(String authorization) throws Exception {
    unauthorized(gateway.send(gateway.request("/v1/tasks").header("Authorization", authorization).GET()));
  }

  @Test
  void noTokenIsUnauthorized() throws Exception {
    unauthorized(gateway.get("/v1/tasks"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Bearer alpha", "Bearer beta", "bearer alpha", "Bearer  beta"})
  void eitherTokenIsAccepted(String authorization) throws Exception {
    HttpResult tasks =
        gateway.send(gateway.request("/v1/tasks").header("Authorization", authorization).GET());
    assertEquals(200, tasks.status(), tasks::toString);
    assertTrue(tasks.json().isArray(), tasks::toString);

    HttpResult echo =
        gateway.send(
            gateway
                .request("/v1/tasks/echo")
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
    assertEquals(200, echo.status(), echo::toString);
  }

  @Test
  void everyV1RouteNeedsAToken() throws Exception {
    unauthorized(gateway.post("/v1/tasks/echo", "{}"));
    unauthorized(gateway.post("/v1/jobs", "{\"task\":\"echo\",\"inputs\":[{}]}"));
    unauthorized(gateway.get("/v1/jobs"));
    unauthorized(gateway.get("/v1/jobs/00000000-0000-0000-0000-000000000000/events"));
    unauthorized(gateway.delete("/v1/jobs/00000000-0000-0000-0000-000000000000"));
    unauthorized(gateway.get("/v1/cluster"));
    unauthorized(gateway.get("/v1/nope"));
    // Percent-encoded, "/v1" is still /v1.
    unauthorized(gateway.get("/%76%31/tasks"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/health/live", "/health/ready"})
  void healthStaysOpen(String path) throws Exception {
    HttpResult open = gateway.get(path);
    assertEquals(200, open.status(), open::toString);
    HttpResult wrongToken =
        gateway.send(gateway.request(path).header("Authorization", "Bearer gamma").GET());
    assertEquals(200, wrongToken.status(), wrongToken::toString);
  }

  @Test
  void aMalformedAuthorizationHeaderIsNotLogged() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      // Both tokens, in a header Akka cannot parse: it would warn with the header's value.
      unauthorized(
          gateway.send(
              gateway.request("/v1/tasks").header("Authorization", "Bearer alpha,beta").GET()));
      // Another illegal header, logged after the first would be: once it shows, the first had
      // its turn.
      gateway.send(gateway.request("/health/live").header("Origin", "not an origin").GET());
      Await.atMost(Duration.ofSeconds(5), "the warning about the 'origin' header logged")
          .every(Duration.ofMillis(20))
          .until(() -> messages(logged).stream().anyMatch(m -> m.contains("'origin' header")));
      List<String> messages = messages(logged);
      assertTrue(
          messages.stream().anyMatch(m -> m.contains("'origin' header")),
          () -> "the marker was not logged: " + messages);
      assertTrue(
          messages.stream().noneMatch(m -> m.contains("alpha") || m.contains("beta")),
          () -> "a token was logged: " + messages);
    } finally {
      root.detachAppender(logged);
    }
  }

  private static List<String> messages(ListAppender<ILoggingEvent> appender) {
    synchronized (appender.list) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private static void unauthorized(HttpResult answer) {
    assertError(answer, 401, "unauthorized", null);
    String challenge = answer.header("WWW-Authenticate").orElse("");
    assertTrue(challenge.startsWith("Bearer"), answer::toString);
    assertTrue(!answer.text().contains("alpha") && !answer.text().contains("beta"),
        () -> "no token in the answer: " + answer);
  }

  @ParameterizedTest(name = "api-tokens = \"{0}\"")
  @ValueSource(strings = {",", " ", " , ,"})
  void tokensSetButEmptyStopTheGatewayFromStarting(String setting) {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ApiTokens.fromSetting(setting, false));
  }

  @Test
  void anEnvironmentVariableSetButEmptyStopsTheGatewayFromStarting() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> ApiTokens.fromSetting("", true));
  }

  @Test
  void noTokensAtAllMeansNoAuthentication() {
    assertTrue(!ApiTokens.fromSetting("", false).enabled());
  }
}
