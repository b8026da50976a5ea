package org.taskgrid.core.downing;

import akka.cluster.Member;
import akka.cluster.UniqueAddress;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which members one node downs, from what it knows of the cluster: the rules of {@link
 * GatewayDowning}, kept apart from the actor so that every case can be tested without a cluster.
 *
 * <p>Workers are expendable, gateways are not: a worker that dies or freezes loses only its parts,
 * which run again elsewhere, and its supervisor starts it afresh; a gateway holds the HTTP clients
 * and the jobs. So an unreachable worker is downed by the gateways and never counts against them,
 * and a worker that cannot reach a gateway the gateways themselves can reach is downed as the
 * faulty end. Only gateways that cannot reach each other weigh sides: the side with more gateways
 * stays, then the side with more workers, then the side with the gateway of the lowest address.
 *
 * @param self the deciding node
 * @param members the members that may be downed (Joining, WeaklyUp, Up, Leaving)
 * @param gateways those of {@code members} that have the gateway role
 * @param observersBySubject for each member some member finds unreachable, the members that do
 *     (both among {@code members})
 * @param settled the subjects that have been unreachable without a break for stable-after
 */
record DowningRules(
    UniqueAddress self,
    Set<UniqueAddress> members,
    Set<UniqueAddress> gateways,
    Map<UniqueAddress, Set<UniqueAddress>> observersBySubject,
    Set<UniqueAddress> settled) {

  DowningRules {
    members = Set.copyOf(members);
    gateways = Set.copyOf(gateways);
    observersBySubject = Map.copyOf(observersBySubject);
    settled = Set.copyOf(settled);
    if (!members.containsAll(gateways)) {
      throw new IllegalArgumentException("every gateway must be a member");
    }
  }

  /** Akka's order of addresses: the same on every node, so every side breaks a tie alike. */
  private static final Comparator<UniqueAddress> ADDRESS_ORDER =
      (a, b) -> Member.addressOrdering().compare(a.address(), b.address());

  /** The members this node downs now; empty when nothing has settled. */
  Set<UniqueAddress> toDown() {
    if (!members.contains(self)) {
      return Set.of();
    }
    return gateways.contains(self) ? asGateway() : asWorker();
  }

  private Set<UniqueAddress> asGateway() {
    Set<UniqueAddress> down = new HashSet<>();
    // Gateways with an unreachable record between them and this one, in either direction.
    Set<UniqueAddress> otherSide = new HashSet<>();
    for (UniqueAddress gateway : gateways) {
      if (!gateway.equals(self)
          && (observers(gateway).contains(self) || observers(self).contains(gateway))) {
        otherSide.add(gateway);
      }
    }
    if (!otherSide.isEmpty() && settled.containsAll(otherSide)) {
      if (keepsThisSide(otherSide)) {
        down.addAll(otherSide);
      } else {
        // The other side wins: this gateway goes. Each gateway of this side decides for itself,
        // and this side's workers then find no gateway they can reach.
        return Set.of(self);
      }
    }
    // Only what this side observes counts: gossip through a node both sides reach may bring the
    // other side's records, and those are the other side's to act on.
    for (UniqueAddress member : members) {
      if (!settled.contains(member)) {
        continue;
      }
      Set<UniqueAddress> observers = new HashSet<>(observers(member));
      observers.removeIf(observer -> !onThisSide(observer, otherSide));
      if (gateways.contains(member)) {
        // A gateway that only workers find unreachable, for stable-after: those workers are the
        // faulty end (a frozen worker that woke up, a broken link), not the gateway.
        if (!containsAny(gateways, observers(member))) {
          down.addAll(observers);
        }
      } else if (!observers.isEmpty()) {
        down.add(member);
      }
    }
    return down;
  }

  /** This gateway itself, or a member that it reaches and that is not a gateway of the other side. */
  private boolean onThisSide(UniqueAddress member, Set<UniqueAddress> otherSide) {
    return member.equals(self) || (!otherSide.contains(member) && !observers(member).contains(self));
  }

  /**
   * True when this side stays: more gateways, else more workers, else the side with the gateway
   * of the lowest address. The other side's workers are those this gateway itself finds
   * unreachable, this side's the rest: the other side's gateway counts the other way round, also
   * when gossip through a third node has brought both sides' records everywhere.
   */
  private boolean keepsThisSide(Set<UniqueAddress> otherSide) {
    int thisGateways = gateways.size() - otherSide.size();
    if (thisGateways != otherSide.size()) {
      return thisGateways > otherSide.size();
    }
    int thisWorkers = 0;
    int otherWorkers = 0;
    for (UniqueAddress member : members) {
      if (!gateways.contains(member)) {
        if (!observers(member).contains(self)) {
          thisWorkers++;
        } else {
          otherWorkers++;
        }
      }
    }
    if (thisWorkers != otherWorkers) {
      return thisWorkers > otherWorkers;
    }
    UniqueAddress lowest = gateways.stream().min(ADDRESS_ORDER).orElseThrow();
    return !otherSide.contains(lowest);
  }

  /**
   * A worker downs itself when every gateway has been unreachable for stable-after and it finds
   * one of them unreachable itself (the gateways' side downs it too, but cannot tell it so across
   * a partition). Its JVM then exits and its supervisor starts it again.
   */
  private Set<UniqueAddress> asWorker() {
    if (gateways.isEmpty() || !settled.containsAll(gateways)) {
      return Set.of();
    }
    for (UniqueAddress gateway : gateways) {
      if (observers(gateway).contains(self)) {
        return Set.of(self);
      }
    }
    return Set.of();
  }

  private Set<UniqueAddress> observers(UniqueAddress subject) {
    return observersBySubject.getOrDefault(subject, Set.of());
  }

  private static boolean containsAny(Set<UniqueAddress> set, Set<UniqueAddress> candidates) {
    for (UniqueAddress candidate : candidates) {
      if (set.contains(candidate)) {
        return true;
      }
    }
    return false;
  }

  /** For the log: the addresses, in order. */
  static List<String> describe(Set<UniqueAddress> addresses) {
    return addresses.stream().sorted(ADDRESS_ORDER).map(a -> a.address().toString()).toList();
  }
}
