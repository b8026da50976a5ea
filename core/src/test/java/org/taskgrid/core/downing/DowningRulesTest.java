package org.taskgrid.core.downing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.Address;
import akka.cluster.UniqueAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The downing rules, one cluster situation per test, seen from each node that acts on it. */
class DowningRulesTest {

  private static UniqueAddress node(int port) {
    return new UniqueAddress(new Address("akka", "taskgrid", "127.0.0.1", port), port);
  }

  private static final UniqueAddress GATEWAY_1 = node(25520);
  private static final UniqueAddress GATEWAY_2 = node(25521);
  private static final UniqueAddress WORKER_1 = node(40001);
  private static final UniqueAddress WORKER_2 = node(40002);

  /** A cluster view: who is a member, which of them are gateways, who finds whom unreachable. */
  private static final class View {
    final Set<UniqueAddress> members = new HashSet<>();
    final Set<UniqueAddress> gateways = new HashSet<>();
    final Map<UniqueAddress, Set<UniqueAddress>> observers = new HashMap<>();
    final Set<UniqueAddress> settled = new HashSet<>();

    View gateways(UniqueAddress... nodes) {
      for (UniqueAddress node : nodes) {
        members.add(node);
        gateways.add(node);
      }
      return this;
    }

    View workers(UniqueAddress... nodes) {
      members.addAll(Set.of(nodes));
      return this;
    }

    /** {@code observer} has found {@code subject} unreachable for stable-after, or not yet. */
    View unreachable(UniqueAddress observer, UniqueAddress subject, boolean forStableAfter) {
      observers.computeIfAbsent(subject, s -> new HashSet<>()).add(observer);
      if (forStableAfter) {
        settled.add(subject);
      }
      return this;
    }

    Set<UniqueAddress> downedBy(UniqueAddress self) {
      return new DowningRules(self, members, gateways, observers, settled).toDown();
    }
  }

  @Test
  void aDeadWorkerIsDownedByTheGatewayOnceSettledAndNotBefore() {
    View early = new View().gateways(GATEWAY_1).workers(WORKER_1, WORKER_2);
    early.unreachable(GATEWAY_1, WORKER_1, false).unreachable(WORKER_2, WORKER_1, false);
    assertEquals(Set.of(), early.downedBy(GATEWAY_1));

    View settled = new View().gateways(GATEWAY_1).workers(WORKER_1, WORKER_2);
    settled.unreachable(GATEWAY_1, WORKER_1, true).unreachable(WORKER_2, WORKER_1, true);
    assertEquals(Set.of(WORKER_1), settled.downedBy(GATEWAY_1));
    // A worker never downs another worker, nor itself while a gateway is reachable.
    assertEquals(Set.of(), settled.downedBy(WORKER_2));
  }

  @Test
  void aResumedWorkerThatFindsTheGatewayUnreachableIsDownedAndTheGatewayIsNot() {
    // The cycle Akka's resolver calls "indirectly connected" and downs on both ends.
    View view = new View().gateways(GATEWAY_1).workers(WORKER_1, WORKER_2);
    view.unreachable(GATEWAY_1, WORKER_1, true).unreachable(WORKER_1, GATEWAY_1, true);
    assertEquals(Set.of(WORKER_1), view.downedBy(GATEWAY_1));
    // The resumed worker itself: it reaches one gateway less than all, so it keeps quiet.
    View workersView = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1);
    workersView.unreachable(WORKER_1, GATEWAY_1, true);
    assertEquals(Set.of(), workersView.downedBy(WORKER_1));
    // The gateways down it as the faulty end.
    assertEquals(Set.of(WORKER_1), workersView.downedBy(GATEWAY_2));
    assertEquals(Set.of(WORKER_1), workersView.downedBy(GATEWAY_1));
  }

  @Test
  void everyWorkerDeadLeavesTheGatewayUp() {
    View view = new View().gateways(GATEWAY_1).workers(WORKER_1, WORKER_2);
    view.unreachable(GATEWAY_1, WORKER_1, true).unreachable(GATEWAY_1, WORKER_2, true);
    assertEquals(Set.of(WORKER_1, WORKER_2), view.downedBy(GATEWAY_1));
  }

  @Test
  void eitherOfTwoGatewaysDyingLeavesTheOtherAndTheWorkersUp() {
    for (UniqueAddress dead : new UniqueAddress[] {GATEWAY_1, GATEWAY_2}) {
      UniqueAddress survivor = dead.equals(GATEWAY_1) ? GATEWAY_2 : GATEWAY_1;
      View view = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1);
      view.unreachable(survivor, dead, true).unreachable(WORKER_1, dead, true);
      assertEquals(Set.of(dead), view.downedBy(survivor), "dead " + dead);
      assertEquals(Set.of(), view.downedBy(WORKER_1), "dead " + dead);
    }
  }

  @Test
  void aGatewayDecisionWaitsUntilTheOtherGatewayHasSettled() {
    View view = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1);
    view.unreachable(GATEWAY_2, GATEWAY_1, false);
    assertEquals(Set.of(), view.downedBy(GATEWAY_2));
    assertEquals(Set.of(), view.downedBy(GATEWAY_1));
  }

  @Test
  void aPartitionKeepsExactlyOneSideAndTheOtherDownsItself() {
    // gateway 1 + worker 1 | gateway 2 + worker 2: a tie, the lowest address stays. Each side
    // sees its own records only, or (through a node both reach) both sides' records.
    View side1 = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1, WORKER_2);
    side1.unreachable(GATEWAY_1, GATEWAY_2, true).unreachable(GATEWAY_1, WORKER_2, true);
    side1.unreachable(WORKER_1, WORKER_2, true);
    View side2 = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1, WORKER_2);
    side2.unreachable(GATEWAY_2, GATEWAY_1, true).unreachable(GATEWAY_2, WORKER_1, true);
    side2.unreachable(WORKER_2, WORKER_1, true);
    View both = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1, WORKER_2);
    both.unreachable(GATEWAY_1, GATEWAY_2, true).unreachable(GATEWAY_1, WORKER_2, true);
    both.unreachable(WORKER_1, WORKER_2, true);
    both.unreachable(GATEWAY_2, GATEWAY_1, true).unreachable(GATEWAY_2, WORKER_1, true);
    both.unreachable(WORKER_2, WORKER_1, true);
    for (View view : new View[] {side1, both}) {
      assertEquals(Set.of(GATEWAY_2, WORKER_2), view.downedBy(GATEWAY_1));
    }
    for (View view : new View[] {side2, both}) {
      assertEquals(Set.of(GATEWAY_2), view.downedBy(GATEWAY_2));
    }

    // A side of workers only, after its gateway side is gone: each worker downs itself.
    View workersSide = new View().gateways(GATEWAY_1).workers(WORKER_1, WORKER_2);
    workersSide.unreachable(WORKER_1, GATEWAY_1, true).unreachable(WORKER_2, GATEWAY_1, true);
    assertEquals(Set.of(WORKER_1), workersSide.downedBy(WORKER_1));
    assertEquals(Set.of(WORKER_2), workersSide.downedBy(WORKER_2));
  }

  @Test
  void theSideWithMoreWorkersKeepsItsGatewayOnAGatewayTie() {
    // gateway 1 alone | gateway 2 + both workers, as gateway 2's side sees it.
    View view = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1, WORKER_2);
    view.unreachable(GATEWAY_2, GATEWAY_1, true)
        .unreachable(WORKER_1, GATEWAY_1, true)
        .unreachable(WORKER_2, GATEWAY_1, true);
    assertEquals(Set.of(GATEWAY_1), view.downedBy(GATEWAY_2));
    // gateway 1's side: both workers unreachable too, so it is the smaller side and goes.
    View lonely = new View().gateways(GATEWAY_1, GATEWAY_2).workers(WORKER_1, WORKER_2);
    lonely.unreachable(GATEWAY_1, GATEWAY_2, true)
        .unreachable(GATEWAY_1, WORKER_1, true)
        .unreachable(GATEWAY_1, WORKER_2, true);
    assertEquals(Set.of(GATEWAY_1), lonely.downedBy(GATEWAY_1));
  }

  @Test
  void aNodeThatIsNoMemberDownsNothing() {
    View view = new View().gateways(GATEWAY_1);
    assertEquals(Set.of(), view.downedBy(WORKER_1));
  }
}
