package org.taskgrid.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;

/** The gateway's settings, and the ones that would contradict each other. */
class GatewaySettingsTest {

  @Test
  void theDefaultsHoldTogether() {
    Config config = NodeConfig.load(Map.of(), ConfigFactory.empty());
    GatewaySettings settings = GatewaySettings.fromConfig(config);
    assertEquals(Duration.ofMinutes(5), settings.maxTimeout());
    assertEquals(Optional.empty(), settings.requestTimeoutProblem(config));
  }

  @Test
  void aRequestTimeoutShorterThanTheLongestCallIsReported() {
    Config config =
        NodeConfig.load(Map.of(), ConfigFactory.parseString("akka.http.server.request-timeout = 60s"));
    assertTrue(GatewaySettings.fromConfig(config).requestTimeoutProblem(config).isPresent());
  }
}
