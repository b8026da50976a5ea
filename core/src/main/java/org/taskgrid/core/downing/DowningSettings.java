package org.taskgrid.core.downing;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code taskgrid.downing} section of the config, read once.
 *
 * @param stableAfter how long a member must stay unreachable before it is downed
 * @param gatewayRole the role of the members that are never downed for a worker's sake
 */
public record DowningSettings(Duration stableAfter, String gatewayRole) {

  public DowningSettings {
    if (stableAfter.isNegative() || stableAfter.isZero() || gatewayRole.isBlank()) {
      throw new IllegalArgumentException(
          "taskgrid.downing: stable-after must be positive and gateway-role not blank");
    }
  }

  public static DowningSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.downing");
    return new DowningSettings(config.getDuration("stable-after"), config.getString("gateway-role"));
  }
}
