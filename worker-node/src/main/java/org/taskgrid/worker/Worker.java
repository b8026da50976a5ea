package org.taskgrid.worker;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import java.util.concurrent.CompletableFuture;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.task.TaskRegistry;

/**
 * The guardian of a worker node: once the node is Up it starts the executor and lists it with the
 * Receptionist, where the gateways' routers find it. Not before: a part sent to a node that is
 * still joining could be lost with it. When the node stops, it leaves the listing first and
 * drains its work, then Coordinated Shutdown goes on to leave the cluster.
 */
public final class Worker {
  private Worker() {}

  public static Behavior<SelfUp> create(WorkerSettings settings) {
    return Behaviors.setup(
        context -> {
          ActorSystem<Void> system = context.getSystem();
          Cluster cluster = Cluster.get(system);
          cluster.subscriptions().tell(Subscribe.create(context.getSelf(), SelfUp.class));
          return Behaviors.receiveMessage(
              up -> {
                String node = cluster.selfMember().address().toString();
                ActorRef<Executor.Command> executor =
                    context.spawn(
                        // A bug in one message must not leave an Up node without its executor.
                        Behaviors.supervise(
                                Executor.create(
                                    TaskRegistry.load(system),
                                    ExecutorSettings.fromConfig(system.settings().config()),
                                    node))
                            .onFailure(SupervisorStrategy.restart()),
                        "executor");
                system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, executor));
                drainOnShutdown(system, executor, settings);
                context.getLog().info("Worker {} is Up; its executor takes work", node);
                return Behaviors.ignore();
              });
        });
  }

  private static void drainOnShutdown(
      ActorSystem<?> system, ActorRef<Executor.Command> executor, WorkerSettings settings) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "leave-receptionist-listing",
        () -> {
          system.receptionist().tell(Receptionist.deregister(Executor.SERVICE_KEY, executor));
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "drain-executor",
        () ->
            AskPattern.ask(executor, Executor.Drain::new, settings.drainTimeout(), system.scheduler())
                .handleAsync((drained, timedOut) -> Done.getInstance(), system.executionContext()));
  }
}
