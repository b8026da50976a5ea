package org.taskgrid.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The config of a node, from the highest priority down: {@code TASKGRID_ROLES} and
 * {@code TASKGRID_SEED_NODES}, system properties ({@code -D}), {@code application.conf}, every
 * module's {@code taskgrid-akka.conf} (taskgrid's Akka settings), then the {@code reference.conf}s.
 * Loading it also makes its {@link JsonLimits} Jackson's default in this JVM, so that every JSON
 * and CBOR mapper of the node (Akka's too, made when the actor system starts) is bounded by them.
 * The cluster port's transport is then chosen by {@link ClusterTransport}.
 */
public final class NodeConfig {
  /** Every node's actor system has this name; nodes of one cluster must agree on it. */
  public static final String SYSTEM_NAME = "taskgrid";

  private NodeConfig() {}

  public static Config load() {
    return load(System.getenv(), ConfigFactory.empty());
  }

  /**
   * @param overrides put above everything else; tests use it for ports and roles
   * @throws com.typesafe.config.ConfigException when a setting is invalid, or the cluster port
   *     would be open in plain TCP beyond loopback
   */
  public static Config load(Map<String, String> env, Config overrides) {
    Config config =
        overrides
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(ConfigFactory.parseResourcesAnySyntax("taskgrid-akka"))
            .withFallback(ConfigFactory.defaultReference());
    // HOCON cannot read a list from one environment variable, so these are split here.
    String roles = env.get("TASKGRID_ROLES");
    if (roles != null && !roles.isBlank() && !overrides.hasPath("akka.cluster.roles")) {
      config = config.withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(split(roles)));
    }
    String seeds = env.get("TASKGRID_SEED_NODES");
    if (seeds != null && !seeds.isBlank() && !overrides.hasPath("akka.cluster.seed-nodes")) {
      config =
          config.withValue(
              "akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes(split(seeds))));
    }
    // Plain TCP or mutual TLS on the cluster port; refuses to start when neither is safe.
    Config resolved = ClusterTransport.apply(config.resolve());
    JsonLimits.fromConfig(resolved).installAsDefault();
    return resolved;
  }

  /** {@code host:port} to the address of the taskgrid actor system there. */
  public static List<String> seedNodes(List<String> hostPorts) {
    return hostPorts.stream()
        .map(
            hostPort -> {
              if (!hostPort.matches("[A-Za-z0-9.\\-]+:\\d{1,5}")) {
                throw new IllegalArgumentException(
                    "a seed node must be host:port, like 127.0.0.1:25520, not '" + hostPort + "'");
              }
              return "akka://" + SYSTEM_NAME + "@" + hostPort;
            })
        .toList();
  }

  private static List<String> split(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
