package org.taskgrid.core.routing;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.Executor.Failure;
import org.taskgrid.core.task.Mode;

/**
 * Sends each part where its mode says: {@code thread} and {@code async} parts to this node's own
 * executor, {@code process} parts over the executors that the Receptionist lists. Each of those goes to
 * the executor with the least work in flight for its capacity, never beyond its capacity (parts
 * wait here instead: Artery drops what overflows its queues). When an executor stops, or its
 * node crashes or becomes unreachable, its parts go to another executor, up to a bounded number of
 * attempts; the first answer of the current attempt wins and answers of superseded attempts are
 * dropped. An executor that leaves the listing while it and its node stay Up is draining: it gets
 * no new parts but finishes those it has.
 */
public final class Router extends AbstractBehavior<Router.Command> {

  /** What the router is told. */
  public sealed interface Command {}

  /** Run one part in the given mode; answers exactly one outcome to {@code replyTo}. */
  public record Submit(
      String partId,
      String task,
      JsonNode input,
      Mode mode,
      long timeoutMillis,
      ActorRef<Executor.PartOutcome> replyTo)
      implements Command {
    public Submit {
      Objects.requireNonNull(partId, "partId");
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(replyTo, "replyTo");
      if (timeoutMillis < 1) {
        throw new IllegalArgumentException("timeoutMillis must be positive");
      }
    }
  }

  /** Stop a part: it is answered {@link Failure#CANCELLED}, on its executor if it has one. */
  public record Cancel(String partId) implements Command {}

  /** Describe the executors this router sees. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /** What {@link GetStatus} answers. */
  public record Status(List<ExecutorStatus> executors) {
    public Status {
      executors = List.copyOf(executors);
    }

    /** Whether some executor takes new work. */
    public boolean anyActive() {
      return executors.stream().anyMatch(executor -> executor.state().equals("active"));
    }
  }

  /**
   * One executor as the router sees it.
   *
   * @param state {@code active}, {@code unreachable} or {@code draining}
   */
  public record ExecutorStatus(
      String node, String state, int capacity, int inFlight, long completed) {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record MemberRemoved(ClusterEvent.MemberRemoved event) implements Command {}

  private record CapacityReported(Executor.Capacity capacity) implements Command {}

  private record OutcomeReceived(Executor.PartOutcome outcome) implements Command {}

  private record DeadlinePassed(String partId) implements Command {}

  private enum State {
    ACTIVE,
    UNREACHABLE,
    DRAINING
  }

  /** An executor and the parts it holds. */
  private static final class Target {
    final ActorRef<Executor.Command> ref;
    final Address address;
    final Set<String> inFlight = new HashSet<>();
    State state = State.ACTIVE;
    /** Until the executor says otherwise: one part at a time. */
    int capacity = 1;
    long completed;

    Target(ActorRef<Executor.Command> ref, Address address) {
      this.ref = ref;
      this.address = address;
    }

    boolean hasRoom() {
      return state == State.ACTIVE && inFlight.size() < capacity;
    }
  }

  /** A part from its submission to its answer. */
  private static final class Part {
    final Submit submit;
    final long deadlineNanos;
    int attempt;
    Target target;

    Part(Submit submit, long deadlineNanos) {
      this.submit = submit;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** @param localExecutor this node's executor, for {@code thread} and {@code async} parts */
  public static Behavior<Command> create(
      RouterSettings settings, ActorRef<Executor.Command> localExecutor) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new Router(context, timers, settings, localExecutor)));
  }

  private final TimerScheduler<Command> timers;
  private final RouterSettings settings;
  private final ActorRef<Executor.Command> localExecutor;
  private final Cluster cluster;
  private final ActorRef<Executor.PartOutcome> outcomeAdapter;
  private final ActorRef<Executor.Capacity> capacityAdapter;
  private final Map<ActorRef<Executor.Command>, Target> targets = new LinkedHashMap<>();
  private final Map<String, Part> parts = new HashMap<>();
  private final Deque<Part> pending = new ArrayDeque<>();
  private Set<ActorRef<Executor.Command>> reachable = Set.of();

  private Router(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RouterSettings settings,
      ActorRef<Executor.Command> localExecutor) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.localExecutor = localExecutor;
    this.cluster = Cluster.get(context.getSystem());
    this.outcomeAdapter = context.messageAdapter(Executor.PartOutcome.class, OutcomeReceived::new);
    this.capacityAdapter = context.messageAdapter(Executor.Capacity.class, CapacityReported::new);
    context
        .getSystem()
        .receptionist()
        .tell(
            Receptionist.subscribe(
                Executor.SERVICE_KEY,
                context.messageAdapter(Receptionist.Listing.class, ListingChanged::new)));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
                ClusterEvent.ReachabilityEvent.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberRemoved.class, MemberRemoved::new),
                ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, this::onSubmit)
        .onMessage(OutcomeReceived.class, this::onOutcome)
        .onMessage(DeadlinePassed.class, this::onDeadline)
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessage(MemberRemoved.class, this::onMemberRemoved)
        .onMessage(CapacityReported.class, this::onCapacity)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onSubmit(Submit submit) {
    if (submit.mode() != Mode.PROCESS) {
      // Thread and async work stays on the node that received it; nothing to route or retry.
      localExecutor.tell(
          new Executor.RunPart(
              submit.partId(), submit.task(), submit.input(), submit.mode(),
              submit.timeoutMillis(), 1, submit.replyTo()));
      return this;
    }
    if (!anyActive()) {
      submit.replyTo().tell(failure(submit, 0, Failure.NO_WORKERS, "no worker is up to run process work"));
      return this;
    }
    if (parts.containsKey(submit.partId())) {
      submit.replyTo().tell(failure(submit, 0, Failure.INVALID_INPUT, "part " + submit.partId() + " is in flight already"));
      return this;
    }
    Part part = new Part(submit, System.nanoTime() + submit.timeoutMillis() * 1_000_000);
    if (!dispatch(part)) {
      if (pending.size() >= settings.maxPending()) {
        submit.replyTo().tell(failure(submit, 0, Failure.OVERLOADED, "every worker is busy and the router's queue is full"));
        return this;
      }
      pending.add(part);
    }
    parts.put(submit.partId(), part);
    timers.startSingleTimer(
        submit.partId(), new DeadlinePassed(submit.partId()), Duration.ofMillis(submit.timeoutMillis()));
    return this;
  }

  private Behavior<Command> onOutcome(OutcomeReceived received) {
    Executor.PartOutcome outcome = received.outcome();
    Part part = parts.get(outcome.partId());
    if (part == null || part.attempt != outcome.attempt()) {
      getContext()
          .getLog()
          .debug("Dropping a late answer of part {} attempt {}", outcome.partId(), outcome.attempt());
      return this;
    }
    if (part.target != null) {
      part.target.completed++;
    }
    finish(part);
    part.submit.replyTo().tell(outcome);
    dispatchPending();
    return this;
  }

  private Behavior<Command> onDeadline(DeadlinePassed deadline) {
    Part part = parts.get(deadline.partId());
    if (part != null) {
      pending.remove(part);
      finish(part);
      part.submit
          .replyTo()
          .tell(
              failure(
                  part.submit,
                  part.attempt,
                  Failure.TIMEOUT,
                  "task '" + part.submit.task() + "' did not finish within "
                      + part.submit.timeoutMillis() + " ms"));
      dispatchPending();
    }
    return this;
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    Part part = parts.get(cancel.partId());
    if (part == null) {
      // Not a process part in flight: if it is anywhere, it is on this node.
      localExecutor.tell(new Executor.CancelPart(cancel.partId()));
      return this;
    }
    if (part.target != null) {
      part.target.ref.tell(new Executor.CancelPart(cancel.partId()));
    }
    pending.remove(part);
    finish(part);
    part.submit
        .replyTo()
        .tell(failure(part.submit, part.attempt, Failure.CANCELLED, "the part was cancelled"));
    dispatchPending();
    return this;
  }

  private Behavior<Command> onListing(ListingChanged changed) {
    Receptionist.Listing listing = changed.listing();
    reachable = Set.copyOf(listing.getServiceInstances(Executor.SERVICE_KEY));
    Set<ActorRef<Executor.Command>> listed = listing.getAllServiceInstances(Executor.SERVICE_KEY);
    for (ActorRef<Executor.Command> ref : reachable) {
      Target target = targets.get(ref);
      if (target == null) {
        target = new Target(ref, addressOf(ref));
        targets.put(ref, target);
        // Its listing alone cannot tell an executor that stopped from one that drains.
        getContext().watch(ref);
        ref.tell(new Executor.GetCapacity(capacityAdapter));
        getContext().getLog().info("Executor on {} takes work", target.address);
      } else if (target.state == State.UNREACHABLE) {
        target.state = State.ACTIVE;
      }
    }
    for (Target target : List.copyOf(targets.values())) {
      if (!listed.contains(target.ref)) {
        if (isUpAndReachable(target.address)) {
          if (target.state != State.DRAINING) {
            getContext().getLog().info("Executor on {} is draining", target.address);
            target.state = State.DRAINING;
          }
        } else {
          targets.remove(target.ref);
          lose(target, "left the cluster");
        }
      } else if (!reachable.contains(target.ref) && target.state != State.UNREACHABLE) {
        target.state = State.UNREACHABLE;
        lose(target, "is unreachable");
      }
    }
    dispatchPending();
    return this;
  }

  private Behavior<Command> onReachability(ReachabilityChanged changed) {
    Address address = changed.event().member().address();
    for (Target target : targetsAt(address)) {
      if (changed.event() instanceof ClusterEvent.UnreachableMember) {
        if (target.state != State.UNREACHABLE) {
          target.state = State.UNREACHABLE;
          lose(target, "is unreachable");
        }
      } else if (target.state == State.UNREACHABLE && reachable.contains(target.ref)) {
        target.state = State.ACTIVE;
      }
    }
    dispatchPending();
    return this;
  }

  private Behavior<Command> onMemberRemoved(MemberRemoved removed) {
    for (Target target : targetsAt(removed.event().member().address())) {
      targets.remove(target.ref);
      lose(target, "was removed from the cluster");
    }
    dispatchPending();
    return this;
  }

  private Behavior<Command> onTerminated(Terminated terminated) {
    Target target = targets.remove(terminated.getRef());
    if (target != null) {
      lose(target, "stopped");
      dispatchPending();
    }
    return this;
  }

  private Behavior<Command> onCapacity(CapacityReported reported) {
    Target target = targets.get(reported.capacity().executor());
    if (target != null) {
      target.capacity = Math.max(1, reported.capacity().slots());
      dispatchPending();
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus command) {
    List<ExecutorStatus> executors = new ArrayList<>();
    for (Target target : targets.values()) {
      executors.add(
          new ExecutorStatus(
              target.address.toString(),
              target.state.name().toLowerCase(java.util.Locale.ROOT),
              target.capacity,
              target.inFlight.size(),
              target.completed));
    }
    command.replyTo().tell(new Status(executors));
    return this;
  }

  /** Sends the part to the executor with the most room; false when every window is full. */
  private boolean dispatch(Part part) {
    Target target = pick();
    if (target == null) {
      return false;
    }
    part.attempt++;
    part.target = target;
    target.inFlight.add(part.submit.partId());
    long remainingMillis = Math.max(1, (part.deadlineNanos - System.nanoTime()) / 1_000_000);
    Submit submit = part.submit;
    target.ref.tell(
        new Executor.RunPart(
            submit.partId(), submit.task(), submit.input(), Mode.PROCESS, remainingMillis,
            part.attempt, outcomeAdapter));
    return true;
  }

  /** The active executor with the least work in flight for its capacity; ties at random. */
  private Target pick() {
    List<Target> best = new ArrayList<>();
    double bestLoad = Double.MAX_VALUE;
    for (Target target : targets.values()) {
      if (!target.hasRoom()) {
        continue;
      }
      double load = (double) target.inFlight.size() / target.capacity;
      if (load < bestLoad) {
        best.clear();
        bestLoad = load;
      }
      if (load == bestLoad) {
        best.add(target);
      }
    }
    return best.isEmpty() ? null : best.get(ThreadLocalRandom.current().nextInt(best.size()));
  }

  private void dispatchPending() {
    while (!pending.isEmpty() && dispatch(pending.peek())) {
      pending.poll();
    }
  }

  /** The executor's parts go elsewhere, or fail once they have used up their attempts. */
  private void lose(Target target, String why) {
    if (target.inFlight.isEmpty()) {
      getContext().getLog().info("Executor on {} {}", target.address, why);
      return;
    }
    getContext()
        .getLog()
        .warn("Executor on {} {}: {} parts go elsewhere", target.address, why, target.inFlight.size());
    boolean anyActive = anyActive();
    for (String partId : List.copyOf(target.inFlight)) {
      Part part = parts.get(partId);
      target.inFlight.remove(partId);
      if (part == null) {
        continue;
      }
      part.target = null;
      if (part.attempt >= settings.maxAttempts() || !anyActive) {
        finish(part);
        part.submit
            .replyTo()
            .tell(
                failure(
                    part.submit,
                    part.attempt,
                    Failure.WORKER_LOST,
                    "the worker running the part was lost, " + part.attempt + " time(s)"
                        + (anyActive ? "" : ", and no other worker is up")));
      } else if (!dispatch(part)) {
        pending.addFirst(part);
      }
    }
  }

  private boolean anyActive() {
    return targets.values().stream().anyMatch(target -> target.state == State.ACTIVE);
  }

  private void finish(Part part) {
    parts.remove(part.submit.partId());
    timers.cancel(part.submit.partId());
    if (part.target != null) {
      part.target.inFlight.remove(part.submit.partId());
    }
  }

  private List<Target> targetsAt(Address address) {
    return targets.values().stream().filter(target -> target.address.equals(address)).toList();
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

  private static Executor.PartFailed failure(Submit submit, int attempt, Failure failure, String message) {
    return new Executor.PartFailed(submit.partId(), attempt, "none", failure, message, null);
  }
}
