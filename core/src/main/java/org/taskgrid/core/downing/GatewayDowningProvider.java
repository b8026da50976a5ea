package org.taskgrid.core.downing;

import akka.actor.ActorSystem;
import akka.actor.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.DowningProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Akka's hook for {@link GatewayDowning}: named by {@code akka.cluster.downing-provider-class} in
 * core's taskgrid-akka.conf, which says why taskgrid does not use Akka's Split Brain Resolver.
 */
public final class GatewayDowningProvider extends DowningProvider {

  private final DowningSettings settings;

  /** Akka makes the provider with this constructor. */
  public GatewayDowningProvider(ActorSystem system) {
    this.settings = DowningSettings.fromConfig(system.settings().config());
  }

  /**
   * How long Cluster Sharding and singletons wait after a member is removed before they start
   * its shards elsewhere: stable-after, as Akka's resolver does, so that the other side of a
   * partition has downed itself by then.
   */
  @Override
  public FiniteDuration downRemovalMargin() {
    return FiniteDuration.fromNanos(settings.stableAfter().toNanos());
  }

  @Override
  public Option<Props> downingActorProps() {
    return Option.apply(Adapter.props(() -> GatewayDowning.create(settings)));
  }
}
