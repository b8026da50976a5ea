package org.taskgrid.worker;

import com.typesafe.config.Config;

/**
 * The {@code taskgrid.metrics} section of a worker's config, read once.
 *
 * @param host where the worker's metrics port listens
 * @param port the port of {@code GET /metrics}; 0 means no metrics port
 */
public record MetricsSettings(String host, int port) {
  public MetricsSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("taskgrid.metrics.port must be from 0 (off) to 65535, not " + port);
    }
  }

  public static MetricsSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.metrics");
    return new MetricsSettings(config.getString("host"), config.getInt("port"));
  }

  public boolean enabled() {
    return port != 0;
  }
}
