package org.taskgrid.gateway;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.ShutdownSignals;

/** Starts a gateway in the foreground; Ctrl-C or SIGTERM stops it through Coordinated Shutdown. */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    Config config;
    try {
      config = NodeConfig.load();
    } catch (ConfigException e) {
      System.err.println("taskgrid's configuration is not valid: " + e.getMessage());
      System.exit(2);
      return;
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    ShutdownSignals.install(system);
    int exitCode = 0;
    try {
      ServerBinding binding = Gateway.init(system).toCompletableFuture().join();
      InetSocketAddress address = binding.localAddress();
      String url = "http://" + address.getHostString() + ":" + address.getPort();
      System.out.println();
      System.out.println("taskgrid is listening on " + url + "  (Ctrl-C stops it)");
      System.out.println(
          "try: curl -s -XPOST '" + url + "/v1/tasks/primes' -d '{\"from\":0,\"to\":1000000}'");
      System.out.println();
    } catch (RuntimeException e) {
      // A bad setting or a taken port: say so and stop, rather than idle on Akka's threads.
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      System.err.println("taskgrid could not start: " + cause.getMessage());
      system.terminate();
      exitCode = 1;
    }
    system.getWhenTerminated().toCompletableFuture().join();
    if (exitCode == 0) {
      exitCode = exitCodeFor(CoordinatedShutdown.get(system).getShutdownReason());
    }
    System.exit(exitCode);
  }

  /**
   * 0 when the gateway was told to stop (a signal, a leave); 255 when the cluster downed it or it
   * could not join, as a worker exits then (Akka's reason-overrides): a supervisor that restarts on
   * failure restarts it. Anything else unexpected is 1.
   */
  static int exitCodeFor(Optional<CoordinatedShutdown.Reason> reason) {
    if (reason.isEmpty()) {
      return 0;
    }
    CoordinatedShutdown.Reason why = reason.get();
    if (why instanceof ShutdownSignals.SignalReceived
        || why instanceof CoordinatedShutdown.ClusterLeavingReason$
        || why instanceof CoordinatedShutdown.ActorSystemTerminateReason$) {
      return 0;
    }
    if (why instanceof CoordinatedShutdown.ClusterDowningReason$
        || why instanceof CoordinatedShutdown.ClusterJoinUnsuccessfulReason$) {
      return 255;
    }
    return 1;
  }
}
