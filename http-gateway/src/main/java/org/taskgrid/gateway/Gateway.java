package org.taskgrid.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.gateway.http.HealthRoutes;
import org.taskgrid.gateway.http.HttpApi;
import org.taskgrid.gateway.http.TaskRoutes;

/** Makes an actor system a gateway: joins the cluster, starts the executor, serves the API. */
public final class Gateway {
  private Gateway() {}

  /** Everything but the actor system itself, so that tests start a gateway the way main does. */
  public static CompletionStage<ServerBinding> init(ActorSystem<?> system) {
    Config config = system.settings().config();
    GatewaySettings settings = GatewaySettings.fromConfig(config);
    Cluster cluster = Cluster.get(system);
    // With no seed nodes, a gateway is a cluster of its own.
    cluster.manager().tell(Join.create(cluster.selfMember().address()));

    TaskRegistry registry = TaskRegistry.load(system);
    String node = cluster.selfMember().address().toString();
    ActorRef<Executor.Command> executor =
        system.systemActorOf(
            Executor.create(registry, ExecutorSettings.fromConfig(config), node),
            "executor",
            Props.empty());
    boolean runsProcessWork = cluster.selfMember().hasRole("worker");

    TaskRoutes tasks = new TaskRoutes(system, registry, executor, runsProcessWork, settings);
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(HttpApi.route(new HealthRoutes(system), tasks))
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
