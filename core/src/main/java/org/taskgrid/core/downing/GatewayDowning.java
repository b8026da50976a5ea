package org.taskgrid.core.downing;

import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.Cluster;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.Reachability;
import akka.cluster.UniqueAddress;
import akka.remote.artery.ThisActorSystemQuarantinedEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Downs the members that {@link DowningRules} says this node should down, once a second. One runs
 * on every node (Akka starts it through {@link GatewayDowningProvider}); each acts on its own view
 * of the gossip, and downing a member twice does no harm.
 *
 * <p>It replaces Akka's Split Brain Resolver, whose strategies all down both ends of an
 * "indirectly connected" pair before counting sides: a worker resumed after SIGSTOP finds the
 * gateway unreachable for a moment while the gateway finds it unreachable, so the gateway is
 * downed with the worker (and when that cannot be resolved, "downing all instead"). Here a
 * worker's unreachability never counts against a gateway.
 */
public final class GatewayDowning extends AbstractBehavior<GatewayDowning.Command> {

  /** What it is told: cluster events, quarantine events and its own tick. */
  public sealed interface Command {}

  private record ClusterChanged(ClusterEvent.ClusterDomainEvent event) implements Command {}

  private record Quarantined(ThisActorSystemQuarantinedEvent event) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** How often the rules run: a decision may wait up to this long past stable-after. */
  private static final Duration TICK = Duration.ofSeconds(1);

  /** Restarted on any failure: a node without it would never down a dead member. */
  public static Behavior<Command> create(DowningSettings settings) {
    Behavior<Command> downing =
        Behaviors.setup(
            context ->
                Behaviors.withTimers(
                    timers -> {
                      timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                      return new GatewayDowning(context, settings);
                    }));
    return Behaviors.supervise(downing).onFailure(SupervisorStrategy.restart());
  }

  private final DowningSettings settings;
  private final Cluster cluster;
  /** The unreachable records of the latest gossip, subject to observers (Unreachable or Terminated). */
  private Map<UniqueAddress, Set<UniqueAddress>> observersBySubject = Map.of();
  /** When each subject was first seen unreachable, without a break since (System.nanoTime). */
  private final Map<UniqueAddress, Long> unreachableSince = new HashMap<>();
  /** Members this node has downed already, so that each is logged once. */
  private final Set<UniqueAddress> downed = new HashSet<>();
  private long lastTick = System.nanoTime();

  private GatewayDowning(ActorContext<Command> context, DowningSettings settings) {
    super(context);
    // Started through classic Props, its log would be named akka.actor.ActorCell otherwise.
    context.setLoggerName(GatewayDowning.class);
    this.settings = settings;
    this.cluster = Cluster.get(Adapter.toClassic(context.getSystem()));
    akka.cluster.typed.Cluster.get(context.getSystem())
        .subscriptions()
        .tell(
            akka.cluster.typed.Subscribe.create(
                context.messageAdapter(ClusterEvent.ClusterDomainEvent.class, ClusterChanged::new),
                ClusterEvent.ClusterDomainEvent.class));
    context
        .getSystem()
        .eventStream()
        .tell(
            new EventStream.Subscribe<>(
                ThisActorSystemQuarantinedEvent.class,
                context.messageAdapter(ThisActorSystemQuarantinedEvent.class, Quarantined::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClusterChanged.class, this::onClusterChanged)
        .onMessage(Quarantined.class, this::onQuarantined)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .build();
  }

  private Behavior<Command> onClusterChanged(ClusterChanged changed) {
    if (changed.event() instanceof ClusterEvent.ReachabilityChanged reachabilityChanged) {
      observersBySubject = unreachableRecords(reachabilityChanged.reachability());
    }
    return this;
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    if (now - lastTick > settings.stableAfter().toNanos()) {
      // This JVM was frozen (SIGSTOP, a long GC pause): what it saw before is stale, so every
      // unreachable member waits stable-after again before it is downed.
      unreachableSince.clear();
    }
    lastTick = now;

    Set<UniqueAddress> members = new HashSet<>();
    Set<UniqueAddress> gateways = new HashSet<>();
    for (Member member : cluster.state().getMembers()) {
      MemberStatus status = member.status();
      if (status == MemberStatus.joining()
          || status == MemberStatus.weaklyUp()
          || status == MemberStatus.up()
          || status == MemberStatus.leaving()) {
        members.add(member.uniqueAddress());
        if (member.hasRole(settings.gatewayRole())) {
          gateways.add(member.uniqueAddress());
        }
      }
    }
    Map<UniqueAddress, Set<UniqueAddress>> observers = new HashMap<>();
    observersBySubject.forEach(
        (subject, by) -> {
          Set<UniqueAddress> live = new HashSet<>(by);
          live.retainAll(members);
          if (members.contains(subject) && !live.isEmpty()) {
            observers.put(subject, live);
          }
        });
    unreachableSince.keySet().retainAll(observers.keySet());
    Set<UniqueAddress> settled = new HashSet<>();
    for (UniqueAddress subject : observers.keySet()) {
      long since = unreachableSince.computeIfAbsent(subject, s -> now);
      if (now - since >= settings.stableAfter().toNanos()) {
        settled.add(subject);
      }
    }
    downed.retainAll(members);

    UniqueAddress self = cluster.selfUniqueAddress();
    Set<UniqueAddress> toDown =
        new HashSet<>(new DowningRules(self, members, gateways, observers, settled).toDown());
    toDown.removeAll(downed);
    if (!toDown.isEmpty()) {
      getContext()
          .getLog()
          .warn(
              "Downing {}: unreachable for stable-after ({} ms). Unreachable (subject <- observers): {}",
              DowningRules.describe(toDown),
              settings.stableAfter().toMillis(),
              observers);
      for (UniqueAddress member : toDown) {
        cluster.down(member.address());
      }
      downed.addAll(toDown);
    }
    return this;
  }

  /**
   * A node that another member has quarantined can never talk to it again: Akka's resolver downs
   * itself then, and so does a worker here. A gateway does so only when the member is a gateway:
   * a worker cannot end a gateway.
   */
  private Behavior<Command> onQuarantined(Quarantined quarantined) {
    akka.remote.UniqueAddress remote = quarantined.event().remoteAddress();
    UniqueAddress by = new UniqueAddress(remote.address(), remote.uid());
    boolean selfIsGateway = cluster.selfMember().hasRole(settings.gatewayRole());
    for (Member member : cluster.state().getMembers()) {
      if (member.uniqueAddress().equals(by)
          && (!selfIsGateway || member.hasRole(settings.gatewayRole()))) {
        getContext().getLog().warn("Downing this node: {} quarantined it", by.address());
        cluster.down(cluster.selfAddress());
      }
    }
    return this;
  }

  /** The Unreachable and Terminated records of the gossip, grouped by subject. */
  private static Map<UniqueAddress, Set<UniqueAddress>> unreachableRecords(Reachability reachability) {
    Map<UniqueAddress, Set<UniqueAddress>> bySubject = new HashMap<>();
    List<Reachability.Record> records = CollectionConverters.asJava(reachability.records());
    for (Reachability.Record record : records) {
      if (record.status() != Reachability.Reachable$.MODULE$) {
        bySubject.computeIfAbsent(record.subject(), s -> new HashSet<>()).add(record.observer());
      }
    }
    return bySubject;
  }
}
