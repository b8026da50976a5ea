package org.taskgrid.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code taskgrid.gateway} section of the config, read once.
 *
 * @param defaultTimeout how long a call waits for its task when it names no {@code timeout}
 * @param maxTimeout the longest {@code timeout} a call may ask for
 * @param maxBodyBytes the largest request body; larger ones are answered 413
 */
public record GatewaySettings(
    String host, int port, Duration defaultTimeout, Duration maxTimeout, long maxBodyBytes) {

  public static GatewaySettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.gateway");
    return new GatewaySettings(
        config.getString("http.host"),
        config.getInt("http.port"),
        config.getDuration("default-timeout"),
        config.getDuration("max-timeout"),
        config.getBytes("max-body-size"));
  }
}
