package org.taskgrid.worker;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.ShutdownSignals;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Starts a worker node that joins the given seeds; SIGTERM makes it leave gracefully. */
@Command(
    name = "taskgrid-worker",
    mixinStandardHelpOptions = true,
    description = "Joins a taskgrid cluster and runs process-mode work for its gateways.")
public final class WorkerMain implements Callable<Integer> {

  @Option(
      names = "--seed",
      paramLabel = "HOST:PORT",
      description = "A seed node (a gateway's cluster address); repeat for several. Default: TASKGRID_SEED_NODES.")
  private List<String> seeds = List.of();

  public static void main(String[] args) {
    int exitCode = new CommandLine(new WorkerMain()).execute(args);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  @Override
  public Integer call() throws Exception {
    Config config;
    try {
      Config overrides = ConfigFactory.empty();
      if (!seeds.isEmpty()) {
        overrides =
            overrides.withValue(
                "akka.cluster.seed-nodes",
                ConfigValueFactory.fromIterable(NodeConfig.seedNodes(seeds)));
      }
      config = NodeConfig.load(System.getenv(), overrides);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    } catch (ConfigException e) {
      System.err.println("taskgrid's configuration is not valid: " + e.getMessage());
      return 2;
    }
    if (config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      System.err.println(
          "A worker needs a cluster to join: give --seed HOST:PORT (a gateway's cluster address, "
              + "127.0.0.1:25520 by default) or set TASKGRID_SEED_NODES.");
      return 2;
    }
    WorkerSettings settings;
    MetricsSettings metrics;
    try {
      settings = WorkerSettings.fromConfig(config);
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("taskgrid's configuration is not valid: " + e.getMessage());
      return 2;
    }
    try {
      metrics = MetricsSettings.fromConfig(config);
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("taskgrid-worker's metrics settings are not valid: " + e.getMessage());
      return 2;
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    ShutdownSignals.install(system);
    // Before the worker's actors start, so that the metrics port sees every recording.
    if (metrics.enabled()) {
      startMetrics(system, metrics);
    }
    try {
      // Akka joins the seed nodes by itself; the worker lists its executor once the node is Up.
      Worker.init(system, settings)
          .toCompletableFuture()
          .get(settings.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      System.err.println(
          "This worker could not join the cluster at "
              + config.getStringList("akka.cluster.seed-nodes")
              + " within " + settings.joinTimeout().toSeconds()
              + " s: is a gateway running there, and reachable from here?"
              + (config.getString("akka.remote.artery.transport").equals("tls-tcp")
                  ? " Does this node have a certificate of the cluster's CA (TLS errors in the log)?"
                  : " Does the cluster talk TLS (then this node needs a certificate of its CA)?")
              + " Exiting.");
      return 1;
    }
    // The node runs until SIGTERM, or until the cluster downs it; either way Coordinated Shutdown
    // ends with System.exit (akka.coordinated-shutdown.exit-jvm).
    system.getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  /** A worker is there to work: one whose metrics port is taken says so and works on. */
  private static void startMetrics(ActorSystem<?> system, MetricsSettings metrics) {
    try {
      InetSocketAddress address =
          MetricsServer.start(system, new InetSocketAddress(metrics.host(), metrics.port())).address();
      System.out.println(
          "taskgrid-worker metrics: http://" + address.getHostString() + ":" + address.getPort() + "/metrics");
    } catch (IOException e) {
      System.err.println(
          "taskgrid-worker has no metrics port: cannot listen on " + metrics.host() + ":" + metrics.port()
              + " (" + e.getMessage() + "); set TASKGRID_METRICS_PORT to a free port, or 0 for none.");
    }
  }
}
