package org.taskgrid.gateway.jobs;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code taskgrid.jobs} section of the config, read once. */
public record JobSettings(
    int maxParts,
    int maxInputs,
    int maxWindow,
    Duration partTimeout,
    Duration retention,
    int maxRetained,
    Duration progressInterval,
    Duration windowRefreshInterval,
    Duration pruneInterval,
    Duration eventsKeepAlive) {

  public static JobSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.jobs");
    return new JobSettings(
        config.getInt("max-parts"),
        config.getInt("max-inputs"),
        config.getInt("max-window"),
        config.getDuration("part-timeout"),
        config.getDuration("retention"),
        config.getInt("max-retained"),
        config.getDuration("progress-interval"),
        config.getDuration("window-refresh-interval"),
        config.getDuration("prune-interval"),
        config.getDuration("events-keep-alive"));
  }
}
