package org.taskgrid.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The config of a node, from the highest priority down: {@code TASKGRID_ROLES}, system properties
 * ({@code -D}), {@code application.conf}, every module's {@code taskgrid-akka.conf} (taskgrid's
 * Akka settings), then the {@code reference.conf}s.
 */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config load() {
    return load(System.getenv(), ConfigFactory.empty());
  }

  /**
   * @param overrides put above everything else; tests use it for ports and roles
   */
  public static Config load(Map<String, String> env, Config overrides) {
    Config config =
        overrides
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResourcesAnySyntax("taskgrid-akka"))
            .withFallback(ConfigFactory.defaultReference());
    // HOCON cannot read a list from one environment variable, so the roles are split here.
    String roles = env.get("TASKGRID_ROLES");
    if (roles != null && !roles.isBlank() && !overrides.hasPath("akka.cluster.roles")) {
      config = config.withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(split(roles)));
    }
    return config.resolve();
  }

  private static List<String> split(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
