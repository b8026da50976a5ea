package org.taskgrid.worker;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code taskgrid.worker} section of the config, read once. */
public record WorkerSettings(Duration joinTimeout, Duration drainTimeout) {

  public static WorkerSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.worker");
    return new WorkerSettings(config.getDuration("join-timeout"), config.getDuration("drain-timeout"));
  }
}
