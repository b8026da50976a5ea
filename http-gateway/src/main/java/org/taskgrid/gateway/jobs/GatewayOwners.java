package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorSystem;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import java.util.HashSet;
import java.util.Set;

/**
 * Who owns running jobs: a gateway by its unique cluster address (address and incarnation), so a
 * gateway started again on the same host and port is a new owner and takes its old jobs over as
 * it would a dead peer's.
 */
public final class GatewayOwners {
  /** The role of the nodes that run jobs. */
  public static final String GATEWAY_ROLE = "gateway";

  private GatewayOwners() {}

  /** This node's owner name, e.g. {@code akka://taskgrid@127.0.0.1:25520#-83426511}. */
  public static String self(ActorSystem<?> system) {
    return of(Cluster.get(system).selfMember().uniqueAddress());
  }

  static String of(UniqueAddress address) {
    return address.address() + "#" + address.longUid();
  }

  /**
   * The gateways that may still run jobs: members with the gateway role that are not Down or
   * Removed. An unreachable member still counts: it may be alive behind a slow network, and
   * resuming its jobs would run them twice; the downing provider decides, then it is Down.
   */
  public static Set<String> live(ClusterEvent.CurrentClusterState state) {
    Set<String> live = new HashSet<>();
    for (Member member : state.getMembers()) {
      MemberStatus status = member.status();
      if (member.hasRole(GATEWAY_ROLE)
          && status != MemberStatus.down()
          && status != MemberStatus.removed()) {
        live.add(of(member.uniqueAddress()));
      }
    }
    return live;
  }
}
