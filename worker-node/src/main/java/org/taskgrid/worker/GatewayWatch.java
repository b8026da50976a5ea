package org.taskgrid.worker;

import akka.actor.Address;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Ends a worker whose cluster has had no gateway for a while. A gateway that restarts forms a
 * cluster of its own (it has no seeds), and a worker left behind in the old one would idle there
 * for good: it leaves no cluster by itself, and the Split Brain Resolver does not act on a gateway
 * that left gracefully. So when no {@code gateway}-role member has been Up and reachable for
 * {@code gateway-absent-timeout}, Coordinated Shutdown runs with {@link GatewayAbsent}, which
 * exits non-zero (see this module's taskgrid-akka.conf): the worker's supervisor ({@code
 * bin/taskgrid cluster}, systemd, Kubernetes) starts it afresh and it joins its seeds again.
 */
public final class GatewayWatch extends AbstractBehavior<GatewayWatch.Command> {

  /** What the watch is told: cluster events, and its own timer. */
  public sealed interface Command {}

  /** Why Coordinated Shutdown ran: no gateway was in the cluster for the timeout. */
  public enum GatewayAbsent implements CoordinatedShutdown.Reason {
    INSTANCE
  }

  /** The role a gateway has. */
  static final String GATEWAY_ROLE = "gateway";

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private enum Absent implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(Duration timeout) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new GatewayWatch(context, timers, timeout)));
  }

  private final TimerScheduler<Command> timers;
  private final Duration timeout;
  /** Gateways that are Up, and of those the unreachable ones. */
  private final Set<Address> upGateways = new HashSet<>();
  private final Set<Address> unreachable = new HashSet<>();

  private GatewayWatch(ActorContext<Command> context, TimerScheduler<Command> timers, Duration timeout) {
    super(context);
    this.timers = timers;
    this.timeout = timeout;
    Cluster cluster = Cluster.get(context.getSystem());
    // Typed subscriptions send the current state first, as events.
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new),
                ClusterEvent.MemberEvent.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
    check();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MemberChanged.class, this::onMember)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessageEquals(Absent.INSTANCE, this::onAbsent)
        .build();
  }

  private Behavior<Command> onMember(MemberChanged changed) {
    Member member = changed.event().member();
    if (member.hasRole(GATEWAY_ROLE)) {
      if (member.status() == MemberStatus.up()) {
        upGateways.add(member.address());
      } else {
        // Leaving, exiting, down or removed: it takes no part in the cluster's future.
        upGateways.remove(member.address());
        if (changed.event() instanceof ClusterEvent.MemberRemoved) {
          unreachable.remove(member.address());
        }
      }
      check();
    }
    return this;
  }

  private Behavior<Command> onReachability(ReachabilityChanged changed) {
    Member member = changed.event().member();
    if (member.hasRole(GATEWAY_ROLE)) {
      if (changed.event() instanceof ClusterEvent.UnreachableMember) {
        unreachable.add(member.address());
      } else {
        unreachable.remove(member.address());
      }
      check();
    }
    return this;
  }

  /** Starts the countdown when the last gateway went, stops it when one is back. */
  private void check() {
    boolean anyGateway = upGateways.stream().anyMatch(address -> !unreachable.contains(address));
    if (anyGateway) {
      timers.cancel(Absent.INSTANCE);
    } else if (!timers.isTimerActive(Absent.INSTANCE)) {
      getContext().getLog().info("No gateway in the cluster; this worker stops if none is back within {}", timeout);
      timers.startSingleTimer(Absent.INSTANCE, timeout);
    }
  }

  private Behavior<Command> onAbsent() {
    getContext()
        .getLog()
        .warn("No gateway in the cluster for {}: stopping, so that a fresh start joins the seeds again", timeout);
    CoordinatedShutdown.get(getContext().getSystem()).run(GatewayAbsent.INSTANCE);
    return Behaviors.ignore();
  }
}
