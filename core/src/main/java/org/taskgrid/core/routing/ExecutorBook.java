package org.taskgrid.core.routing;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.Lane;

/**
 * What the router knows of each executor of {@code process} work: where it lives, whether it takes
 * work ({@link ExecutorState}), how many parts it may hold and which it holds. It follows the
 * Receptionist's listing and the cluster's reachability and membership; it says which executors
 * were lost, and the router decides what becomes of their parts. Not thread-safe: it is the
 * router's own state, used from the router's messages only.
 */
final class ExecutorBook {
  /** The lanes that process work runs in on a worker. */
  private static final List<Lane> PROCESS_LANES = List.of(Lane.BLOCKING, Lane.CPU);

  /** An executor and the parts it holds. */
  static final class Entry {
    final ActorRef<Executor.Command> ref;
    final Address address;
    /** The parts it holds, each with the lane it uses there. */
    private final Map<String, Lane> inFlight = new HashMap<>();
    /** How many of them use each lane (by ordinal): counted, not searched, at every dispatch. */
    private final int[] inFlightPerLane = new int[Lane.values().length];
    /**
     * Parts taken from the executor while it was unreachable, with their attempt there: it may
     * still run them, so they are cancelled when it is back.
     */
    final Map<String, Integer> abandoned = new HashMap<>();
    ExecutorState state = ExecutorState.ACTIVE;
    /** Until the executor says otherwise: one part at a time. */
    int capacity = 1;
    int blockingSlots;
    int cpuSlots;
    long completed;
    /** Parts it may hold beyond its slots, as a multiple of them: 0 for an executor in this JVM. */
    private final double queueAhead;

    /** Parts it may hold beyond its slots, as a multiple of them. */
    double queueAhead() {
      return queueAhead;
    }

    private Entry(ActorRef<Executor.Command> ref, Address address, double queueAhead) {
      this.ref = ref;
      this.address = address;
      this.queueAhead = isLocal() ? 0 : queueAhead;
    }

    /** Whether the executor lives in this JVM (a gateway that is its own worker). */
    boolean isLocal() {
      return !ref.path().address().hasGlobalScope();
    }

    /** Whether it has told its slots (until then, one part at a time in all). */
    private boolean toldSlots() {
      return blockingSlots + cpuSlots > 0;
    }

    /** Until it told its slots, one part at a time in all; then per lane. */
    private int slots(Lane lane) {
      if (!toldSlots()) {
        return capacity;
      }
      return lane == Lane.CPU ? cpuSlots : blockingSlots;
    }

    /**
     * How many parts of the lane it may hold: its slots, and for a remote executor the parts that
     * wait in its queue, so that a slot freed there takes the next part at once instead of after
     * a round trip between JVMs. Until it told its slots, one part at a time still.
     */
    private int room(Lane lane) {
      if (!toldSlots()) {
        return capacity;
      }
      int slots = slots(lane);
      return slots + (int) Math.ceil(slots * queueAhead);
    }

    private int inFlight(Lane lane) {
      if (!toldSlots()) {
        return inFlight.size();
      }
      return inFlightPerLane[lane.ordinal()];
    }

    /** The part is now in flight here, in that lane. */
    void hold(String partId, Lane lane) {
      Lane before = inFlight.put(partId, lane);
      if (before != null) {
        inFlightPerLane[before.ordinal()]--;
      }
      inFlightPerLane[lane.ordinal()]++;
    }

    /** The part is no longer in flight here (if it was). */
    void release(String partId) {
      Lane lane = inFlight.remove(partId);
      if (lane != null) {
        inFlightPerLane[lane.ordinal()]--;
      }
    }

    /** The ids of the parts in flight here: a view, not to be changed. */
    Set<String> inFlightParts() {
      return Collections.unmodifiableSet(inFlight.keySet());
    }

    private boolean hasRoom(Lane lane) {
      return state == ExecutorState.ACTIVE && inFlight(lane) < room(lane);
    }
  }

  /** An executor whose parts must go elsewhere, and why. */
  record Lost(Entry entry, String why) {}

  /**
   * What a new listing means: executors to watch and ask for their capacity, lost ones, and ones
   * that are reachable again.
   */
  record ListingChanges(List<ActorRef<Executor.Command>> added, List<Lost> lost, List<Entry> back) {}

  private final Cluster cluster;
  private final Logger log;
  private final Map<ActorRef<Executor.Command>, Entry> entries = new LinkedHashMap<>();
  /** The listed executors whose nodes the Receptionist sees as reachable. */
  private Set<ActorRef<Executor.Command>> reachable = Set.of();

  private final double queueAhead;

  /** @param queueAhead see {@link Entry#room} */
  ExecutorBook(Cluster cluster, Logger log, double queueAhead) {
    this.cluster = cluster;
    this.log = log;
    this.queueAhead = queueAhead;
  }

  ListingChanges onListing(Receptionist.Listing listing) {
    reachable = Set.copyOf(listing.getServiceInstances(Executor.SERVICE_KEY));
    Set<ActorRef<Executor.Command>> listed = listing.getAllServiceInstances(Executor.SERVICE_KEY);
    List<ActorRef<Executor.Command>> added = new ArrayList<>();
    List<Lost> lost = new ArrayList<>();
    List<Entry> back = new ArrayList<>();
    for (ActorRef<Executor.Command> ref : reachable) {
      Entry entry = entries.get(ref);
      if (entry == null) {
        entry = new Entry(ref, addressOf(ref), queueAhead);
        entries.put(ref, entry);
        added.add(ref);
        log.info("Executor on {} takes work", entry.address);
      } else if (entry.state == ExecutorState.UNREACHABLE) {
        entry.state = ExecutorState.ACTIVE;
        back.add(entry);
      }
    }
    for (Entry entry : List.copyOf(entries.values())) {
      if (!listed.contains(entry.ref)) {
        // Out of the listing: a node that stays Up drains; otherwise the executor is gone.
        if (isUpAndReachable(entry.address)) {
          if (entry.state != ExecutorState.DRAINING) {
            log.info("Executor on {} is draining", entry.address);
            entry.state = ExecutorState.DRAINING;
          }
        } else {
          entries.remove(entry.ref);
          lost.add(new Lost(entry, "left the cluster"));
        }
      } else if (!reachable.contains(entry.ref) && entry.state != ExecutorState.UNREACHABLE) {
        entry.state = ExecutorState.UNREACHABLE;
        lost.add(new Lost(entry, "is unreachable"));
      }
    }
    return new ListingChanges(added, lost, back);
  }

  List<Lost> onUnreachable(Address address) {
    List<Lost> lost = new ArrayList<>();
    for (Entry entry : entriesAt(address)) {
      if (entry.state != ExecutorState.UNREACHABLE) {
        entry.state = ExecutorState.UNREACHABLE;
        lost.add(new Lost(entry, "is unreachable"));
      }
    }
    return lost;
  }

  /** The executors at the address that take work again. */
  List<Entry> onReachable(Address address) {
    List<Entry> back = new ArrayList<>();
    for (Entry entry : entriesAt(address)) {
      if (entry.state == ExecutorState.UNREACHABLE && reachable.contains(entry.ref)) {
        entry.state = ExecutorState.ACTIVE;
        back.add(entry);
      }
    }
    return back;
  }

  List<Lost> onRemoved(Address address) {
    List<Lost> lost = new ArrayList<>();
    for (Entry entry : entriesAt(address)) {
      entries.remove(entry.ref);
      lost.add(new Lost(entry, "was removed from the cluster"));
    }
    return lost;
  }

  /**
   * The node at the address leaves the cluster: its executors get no new part, even one that stays
   * listed until the node is removed (a gateway that is its own worker does not deregister).
   */
  void onLeaving(Address address) {
    entriesAt(address).forEach(this::onDraining);
  }

  /** The executor said it drains: no new part until it leaves the listing (it will). */
  void onDraining(Entry entry) {
    if (entry.state == ExecutorState.ACTIVE) {
      log.info("Executor on {} is draining", entry.address);
      entry.state = ExecutorState.DRAINING;
    }
  }

  Optional<Lost> onStopped(ActorRef<?> ref) {
    return Optional.ofNullable(entries.remove(ref)).map(entry -> new Lost(entry, "stopped"));
  }

  /** Whether the executor is known; its capacity is then at least one. */
  boolean onCapacity(ActorRef<Executor.Command> ref, int blockingSlots, int cpuSlots) {
    Entry entry = entries.get(ref);
    if (entry != null) {
      entry.capacity = Math.max(1, blockingSlots + cpuSlots);
      entry.blockingSlots = blockingSlots;
      entry.cpuSlots = cpuSlots;
    }
    return entry != null;
  }

  /**
   * The active executor with the least work in flight for its capacity, but none of {@code
   * excluded}; ties at random.
   */
  Optional<Entry> pick(Lane lane, Set<ActorRef<Executor.Command>> excluded) {
    List<Entry> best = new ArrayList<>();
    double bestLoad = Double.MAX_VALUE;
    for (Entry entry : entries.values()) {
      if (!entry.hasRoom(lane) || excluded.contains(entry.ref)) {
        continue;
      }
      double load = (double) entry.inFlight(lane) / entry.slots(lane);
      if (load < bestLoad) {
        best.clear();
        bestLoad = load;
      }
      if (load == bestLoad) {
        best.add(entry);
      }
    }
    return best.isEmpty()
        ? Optional.empty()
        : Optional.of(best.get(ThreadLocalRandom.current().nextInt(best.size())));
  }

  boolean anyActiveExcept(Set<ActorRef<Executor.Command>> excluded) {
    return entries.values().stream()
        .anyMatch(entry -> entry.state == ExecutorState.ACTIVE && !excluded.contains(entry.ref));
  }

  boolean anyActive() {
    return entries.values().stream().anyMatch(entry -> entry.state == ExecutorState.ACTIVE);
  }

  Router.Status status() {
    List<Router.ExecutorStatus> executors =
        entries.values().stream()
            .map(
                entry ->
                    new Router.ExecutorStatus(
                        entry.address.toString(), entry.state, entry.capacity, entry.blockingSlots,
                        entry.cpuSlots, entry.inFlight.size(), entry.completed))
            .toList();
    Map<Lane, Integer> activeRoom = new EnumMap<>(Lane.class);
    for (Entry entry : entries.values()) {
      if (entry.state == ExecutorState.ACTIVE && entry.toldSlots()) {
        for (Lane lane : PROCESS_LANES) {
          activeRoom.merge(lane, entry.room(lane), Integer::sum);
        }
      }
    }
    return new Router.Status(executors, activeRoom);
  }

  private List<Entry> entriesAt(Address address) {
    return entries.values().stream().filter(entry -> entry.address.equals(address)).toList();
  }

  private boolean isUpAndReachable(Address address) {
    var state = cluster.state();
    boolean unreachable =
        StreamSupport.stream(state.getUnreachable().spliterator(), false)
            .anyMatch(member -> member.address().equals(address));
    boolean up =
        StreamSupport.stream(state.getMembers().spliterator(), false)
            .filter(member -> member.address().equals(address))
            .map(Member::status)
            .anyMatch(status -> status == MemberStatus.up() || status == MemberStatus.leaving());
    return up && !unreachable;
  }

  /** A local executor's path has no host: it lives at this node's address. */
  private Address addressOf(ActorRef<?> ref) {
    Address address = ref.path().address();
    return address.hasGlobalScope() ? address : cluster.selfMember().address();
  }
}
