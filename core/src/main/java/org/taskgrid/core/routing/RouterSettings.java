package org.taskgrid.core.routing;

import com.typesafe.config.Config;

/**
 * The {@code taskgrid.router} section of the config, read once.
 *
 * @param maxAttempts how many executors a part may try before it fails as worker_lost
 * @param maxPending how many parts may wait in the router for a free window; more are refused
 */
public record RouterSettings(int maxAttempts, int maxPending) {

  public RouterSettings {
    if (maxAttempts < 1 || maxPending < 0) {
      throw new IllegalArgumentException("max-attempts must be >= 1 and max-pending >= 0");
    }
  }

  public static RouterSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.router");
    return new RouterSettings(config.getInt("max-attempts"), config.getInt("max-pending"));
  }
}
