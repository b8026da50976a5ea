package org.taskgrid.worker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.task.TaskRegistry;

/**
 * The guardian of a worker node: once the node is Up it starts the executor and lists it with the
 * Receptionist, where the gateways' routers find it. Not before: a part sent to a node that is
 * still joining could be lost with it.
 */
public final class Worker {
  private Worker() {}

  public static Behavior<SelfUp> create() {
    return Behaviors.setup(
        context -> {
          Cluster cluster = Cluster.get(context.getSystem());
          cluster.subscriptions().tell(Subscribe.create(context.getSelf(), SelfUp.class));
          return Behaviors.receiveMessage(
              up -> {
                String node = cluster.selfMember().address().toString();
                ActorRef<Executor.Command> executor =
                    context.spawn(
                        Executor.create(
                            TaskRegistry.load(context.getSystem()),
                            ExecutorSettings.fromConfig(context.getSystem().settings().config()),
                            node),
                        "executor");
                context
                    .getSystem()
                    .receptionist()
                    .tell(Receptionist.register(Executor.SERVICE_KEY, executor));
                context.getLog().info("Worker {} is Up; its executor takes work", node);
                return Behaviors.ignore();
              });
        });
  }
}
