package org.taskgrid.gateway;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import java.net.InetSocketAddress;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.ShutdownSignals;

/** Starts a gateway in the foreground; Ctrl-C or SIGTERM stops it through Coordinated Shutdown. */
public final class GatewayMain {
  private GatewayMain() {}

  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, NodeConfig.load());
    ShutdownSignals.install(system);
    Gateway.init(system)
        .whenComplete(
            (binding, error) -> {
              if (error != null) {
                System.err.println("taskgrid could not start its HTTP server: " + error.getMessage());
                system.terminate();
                system.getWhenTerminated().thenRun(() -> System.exit(1));
                return;
              }
              InetSocketAddress address = binding.localAddress();
              String url = "http://" + address.getHostString() + ":" + address.getPort();
              System.out.println();
              System.out.println("taskgrid is listening on " + url + "  (Ctrl-C stops it)");
              System.out.println("try: curl -s -XPOST '" + url + "/v1/tasks/primes' -d '{\"from\":0,\"to\":1000000}'");
              System.out.println();
            });
    system.getWhenTerminated().toCompletableFuture().join();
    System.exit(0);
  }
}
