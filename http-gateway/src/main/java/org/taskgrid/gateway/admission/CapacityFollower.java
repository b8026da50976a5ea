package org.taskgrid.gateway.admission;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import java.time.Duration;
import org.taskgrid.core.routing.Router;

/**
 * Reads the cluster's process capacity from the router now and then, and sizes the process budget
 * of {@link AdmissionControl} to it: a cluster of many workers is not held to a budget sized for
 * one, and the budget shrinks again when workers leave.
 */
public final class CapacityFollower {
  private CapacityFollower() {}

  /** What the follower is told: only its own timer and the router's answers. */
  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record StatusRead(Router.Status status) implements Command {}

  public static Behavior<Command> create(
      AdmissionControl admission, ActorRef<Router.Command> router, Config root) {
    Config config = root.getConfig("taskgrid.admission.process");
    Duration interval = config.getDuration("follow-interval");
    int perSlot = config.getInt("in-flight-per-slot");
    return Behaviors.setup(
        context -> {
          ActorRef<Router.Status> statusAdapter =
              context.messageAdapter(Router.Status.class, StatusRead::new);
          return Behaviors.withTimers(
              timers -> {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                return Behaviors.receive(Command.class)
                    .onMessageEquals(
                        Tick.INSTANCE,
                        () -> {
                          router.tell(new Router.GetStatus(statusAdapter));
                          return Behaviors.same();
                        })
                    .onMessage(
                        StatusRead.class,
                        read -> {
                          admission.followProcessCapacity(read.status().activeCapacity(), perSlot);
                          return Behaviors.same();
                        })
                    .build();
              });
        });
  }
}
