package org.taskgrid.worker;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.task.TaskRegistry;

/**
 * Makes an actor system a worker node: once the node is Up it starts the executor and lists it
 * with the Receptionist, where the gateways' routers find it. Not before: a part sent to a node
 * that is still joining could be lost with it. When the node stops, it leaves the listing first
 * and drains its work, then Coordinated Shutdown goes on to leave the cluster; a worker that was
 * downed, or that stops because no gateway is left ({@link GatewayWatch}), does not drain.
 */
public final class Worker {

  /** What the worker's actor hears: only its own adapted messages. */
  sealed interface Command {}

  /** This node is Up in the cluster (from {@link SelfUp}). */
  private record NodeUp() implements Command {}

  /** The Receptionist has listed the executor (from {@link Receptionist.Registered}). */
  private record ExecutorListed() implements Command {}

  private Worker() {}

  /**
   * Everything but the actor system itself, so that tests start a worker the way main does. The
   * node joins the cluster through its configured seed nodes (or whatever a test tells it to
   * join); the answer completes once the node is Up and its executor is listed.
   */
  public static CompletionStage<Done> init(ActorSystem<?> system, WorkerSettings settings) {
    CompletableFuture<Done> listed = new CompletableFuture<>();
    system.systemActorOf(create(settings, listed), "worker", Props.empty());
    return listed;
  }

  private static Behavior<Command> create(WorkerSettings settings, CompletableFuture<Done> listed) {
    return Behaviors.setup(
        context -> {
          ActorRef<SelfUp> up = context.messageAdapter(SelfUp.class, self -> new NodeUp());
          Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(up, SelfUp.class));
          return Behaviors.receive(Command.class)
              .onMessage(NodeUp.class, nodeUp -> startExecutor(context, settings, listed))
              .build();
        });
  }

  /** On Up: the executor starts, learns to drain on the way out, and asks to be listed. */
  private static Behavior<Command> startExecutor(
      ActorContext<Command> context, WorkerSettings settings, CompletableFuture<Done> listed) {
    ActorSystem<Void> system = context.getSystem();
    String node = Cluster.get(system).selfMember().address().toString();
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
    drainOnShutdown(system, executor, settings);
    context.spawn(GatewayWatch.create(settings.gatewayAbsentTimeout()), "gateway-watch");
    ActorRef<Receptionist.Registered> registered =
        context.messageAdapter(Receptionist.Registered.class, done -> new ExecutorListed());
    system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, executor, registered));
    return Behaviors.receive(Command.class)
        .onMessage(
            ExecutorListed.class,
            done -> {
              context.getLog().info("Worker {} is Up; its executor takes work", node);
              listed.complete(Done.getInstance());
              return Behaviors.ignore();
            })
        .build();
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
        () -> {
          if (!drainsFor(shutdown.getShutdownReason())) {
            // Its parts are re-run elsewhere already, or their gateway is gone: nobody takes
            // their results, so finishing them would only delay the exit.
            return CompletableFuture.completedFuture(Done.getInstance());
          }
          return AskPattern.ask(executor, Executor.Drain::new, settings.drainTimeout(), system.scheduler())
              .handleAsync((drained, timedOut) -> Done.getInstance(), system.executionContext());
        });
  }

  /** Whether a shutdown for this reason finishes the parts in flight first: not when cut off. */
  static boolean drainsFor(Optional<CoordinatedShutdown.Reason> reason) {
    return reason
        .map(
            why ->
                !(why instanceof CoordinatedShutdown.ClusterDowningReason$)
                    && !(why instanceof GatewayWatch.GatewayAbsent))
        .orElse(true);
  }
}
