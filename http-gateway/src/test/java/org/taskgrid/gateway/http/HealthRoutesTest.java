package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

class HealthRoutesTest {
  @RegisterExtension static final TestGateway gateway = TestGateway.create();

  @Test
  void liveAnswersJson() throws Exception {
    HttpResult live = gateway.get("/health/live");
    assertEquals(200, live.status(), live::toString);
    assertEquals("application/json", live.header("Content-Type").orElseThrow());
    assertEquals("live", live.json().path("status").asText());
  }

  @Test
  void readyAnswersJsonOnceTheNodeIsUp() throws Exception {
    HttpResult ready = gateway.get("/health/ready");
    assertEquals(200, ready.status(), ready::toString);
    assertEquals("application/json", ready.header("Content-Type").orElseThrow());
    assertEquals("ready", ready.json().path("status").asText());
  }
}
