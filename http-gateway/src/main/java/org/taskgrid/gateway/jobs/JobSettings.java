package org.taskgrid.gateway.jobs;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

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
    Duration eventsKeepAlive,
    long maxResultSize,
    long maxRetainedSize,
    long memoryPerPart,
    int maxFollowersPerJob,
    int maxFollowers,
    Duration storePollInterval) {

  public JobSettings {
    if (maxResultSize > maxRetainedSize) {
      throw new IllegalArgumentException(
          "taskgrid.jobs.max-result-size (" + maxResultSize + ") must not exceed max-retained-size ("
              + maxRetainedSize + "): a result that fits would be forgotten at once");
    }
    // A window of 0 would never dispatch a part; a zero interval would break the timers.
    if (maxParts < 1 || maxInputs < 1 || maxWindow < 1 || maxRetained < 0) {
      throw new IllegalArgumentException(
          "taskgrid.jobs: max-parts, max-inputs and max-window must be >= 1, max-retained >= 0");
    }
    for (Duration duration :
        List.of(
            partTimeout, retention, progressInterval, windowRefreshInterval, pruneInterval,
            eventsKeepAlive, storePollInterval)) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("taskgrid.jobs: every duration must be positive, not " + duration);
      }
    }
  }

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
        config.getDuration("events-keep-alive"),
        config.getBytes("max-result-size"),
        retainedSize(config),
        config.getBytes("memory-per-part"),
        config.getInt("max-followers-per-job"),
        config.getInt("max-followers"),
        config.getDuration("store-poll-interval"));
  }

  /** {@code auto}: an eighth of the maximum heap, and room for at least two of the largest results. */
  private static long retainedSize(Config config) {
    if (!config.getString("max-retained-size").equals("auto")) {
      return config.getBytes("max-retained-size");
    }
    return Math.max(Runtime.getRuntime().maxMemory() / 8, 2 * config.getBytes("max-result-size"));
  }
}
