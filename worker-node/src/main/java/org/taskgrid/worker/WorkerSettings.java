package org.taskgrid.worker;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code taskgrid.worker} section of the config, read once. */
public record WorkerSettings(Duration joinTimeout, Duration drainTimeout, Duration gatewayAbsentTimeout) {

  public WorkerSettings {
    if (joinTimeout.isNegative() || joinTimeout.isZero()
        || drainTimeout.isNegative()
        || gatewayAbsentTimeout.isNegative() || gatewayAbsentTimeout.isZero()) {
      throw new IllegalArgumentException(
          "taskgrid.worker: join-timeout and gateway-absent-timeout must be positive, drain-timeout not negative");
    }
  }

  public static WorkerSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.worker");
    return new WorkerSettings(
        config.getDuration("join-timeout"),
        config.getDuration("drain-timeout"),
        config.getDuration("gateway-absent-timeout"));
  }
}
