package org.taskgrid.core.routing;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.taskgrid.core.Deadlines;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.execution.PartProtocol.CancelPart;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartOutcomes;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.execution.PartProtocol.RunParts;
import org.taskgrid.core.execution.WireSize;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.TaskRegistry;

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

  /**
   * Run one part in the given mode; answers exactly one outcome to {@code replyTo}.
   *
   * @param timeoutFromStart false (a call): the part must be answered within {@code timeoutMillis}
   *     of now. True (a job's part): {@code timeoutMillis} is how long the part may run, counted
   *     from when it starts on an executor; waiting for a free executor or slot is bounded by as
   *     long again, each
   */
  public record Submit(
      String partId,
      String task,
      JsonNode input,
      Mode mode,
      long timeoutMillis,
      ActorRef<PartOutcome> replyTo,
      boolean timeoutFromStart)
      implements Command {

    /** A call: answered within {@code timeoutMillis} of now. */
    public Submit(
        String partId, String task, JsonNode input, Mode mode, long timeoutMillis,
        ActorRef<PartOutcome> replyTo) {
      this(partId, task, input, mode, timeoutMillis, replyTo, false);
    }

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

  /**
   * Several parts in one message, each handled as its own {@link Submit} and answered exactly
   * once: where the router has several answers for {@code replyTo} at once (an executor answered
   * a batch), they come gathered in one {@link PartOutcomes} to {@code replyTo}; any other answer
   * comes alone to its part's own {@code replyTo}. A job tops up its window with many parts at
   * once: one message here, and they leave for a remote executor in one {@link RunParts}.
   */
  public record SubmitParts(List<Submit> parts, ActorRef<PartOutcomes> replyTo) implements Command {
    public SubmitParts {
      parts = List.copyOf(parts);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Stop a part: it is answered {@link Failure#CANCELLED}, on its executor if it has one. */
  public record Cancel(String partId) implements Command {}

  /** Describe the executors this router sees. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * What {@link GetStatus} answers.
   *
   * @param activeRoom per lane, how many parts the executors that take new work may hold at once:
   *     their slots, and for a remote executor the parts queued ahead of them ({@code
   *     taskgrid.router.queue-ahead})
   */
  public record Status(List<ExecutorStatus> executors, Map<Lane, Integer> activeRoom) {
    public Status {
      executors = List.copyOf(executors);
      activeRoom = Map.copyOf(activeRoom);
    }

    /** Whether some executor takes new work. */
    public boolean anyActive() {
      return executors.stream().anyMatch(executor -> executor.state() == ExecutorState.ACTIVE);
    }

    /** The slots of the executors that take new work. */
    public int activeCapacity() {
      return executors.stream()
          .filter(executor -> executor.state() == ExecutorState.ACTIVE)
          .mapToInt(ExecutorStatus::capacity)
          .sum();
    }

    /** How many parts of the lane the router sends on at once: what a job of that lane keeps in flight. */
    public int activeRoom(Lane lane) {
      return activeRoom.getOrDefault(lane, 0);
    }
  }

  /**
   * One executor as the router sees it.
   *
   * @param capacity every process slot: {@code blockingSlots + cpuSlots}
   */
  public record ExecutorStatus(
      String node, ExecutorState state, int capacity, int blockingSlots, int cpuSlots, int inFlight,
      long completed) {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record MemberRemoved(ClusterEvent.MemberRemoved event) implements Command {}

  /** A member left or exits: its executor finishes what it has and gets nothing new. */
  private record MemberLeaving(ClusterEvent.MemberEvent event) implements Command {}

  private record CapacityReported(Executor.Capacity capacity) implements Command {}

  private record OutcomeReceived(PartOutcome outcome) implements Command {}

  private record OutcomesReceived(PartOutcomes outcomes) implements Command {}

  /**
   * Sends the parts gathered for remote executors. Told to itself when the first part is gathered,
   * so it comes after the messages already in the mailbox (a job's submissions arrive in a burst):
   * the parts those dispatch travel in the same message.
   */
  private enum SendParts implements Command {
    INSTANCE
  }

  /** Parts on their way to one remote executor, and an upper bound of their bytes in CBOR. */
  private static final class PartBatch {
    final List<RunPart> parts = new ArrayList<>();
    long bytes;
  }

  /** Some part's deadline has passed (see {@link Deadlines}). */
  private enum DeadlinesDue implements Command {
    INSTANCE
  }

  /** A part from its submission to its answer. */
  private static final class Part {
    final Submit submit;
    final long deadlineNanos;
    int attempt;
    /** Attempts that an executor refused (draining, or no such task there): they ran nowhere. */
    int refused;
    /** Executors that do not know the task or its mode (another classpath): not tried again. */
    final Set<ActorRef<Executor.Command>> refusedBy = new HashSet<>();
    ExecutorBook.Entry target;
    /** The lane it runs in on a worker: it counts against that lane's slots only. */
    final Lane lane;
    /** Where its answer may go gathered with others, when it came in {@link SubmitParts}; else null. */
    final ActorRef<PartOutcomes> gatheredReplyTo;

    Part(Submit submit, long deadlineNanos, Lane lane, ActorRef<PartOutcomes> gatheredReplyTo) {
      this.submit = submit;
      this.deadlineNanos = deadlineNanos;
      this.lane = lane;
      this.gatheredReplyTo = gatheredReplyTo;
    }
  }

  /**
   * @param localExecutor this node's executor, for {@code thread} and {@code async} parts
   * @param registry the tasks, to know which lane a part uses on a worker
   */
  public static Behavior<Command> create(
      RouterSettings settings, ActorRef<Executor.Command> localExecutor, TaskRegistry registry) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Router(context, timers, settings, localExecutor, registry)));
  }

  /** With the tasks of this node's classpath. */
  public static Behavior<Command> create(
      RouterSettings settings, ActorRef<Executor.Command> localExecutor) {
    return Behaviors.setup(
        context -> create(settings, localExecutor, TaskRegistry.load(context.getSystem())));
  }

  /** Each part's deadline, by part id: answered as a timeout when it passes. */
  private final Deadlines<String> deadlines;
  private final RouterSettings settings;
  private final ActorRef<Executor.Command> localExecutor;
  private final ActorRef<PartOutcome> outcomeAdapter;
  private final ActorRef<PartOutcomes> outcomesAdapter;
  /** Parts not sent yet, per remote executor (insertion order: fair between them). */
  private final Map<ExecutorBook.Entry, PartBatch> partBatches = new LinkedHashMap<>();
  private final ActorRef<Executor.Capacity> capacityAdapter;
  private final ExecutorBook book;
  private final Map<String, Part> parts = new HashMap<>();
  /** Parts waiting for room, per lane: a full CPU lane does not hold up blocking parts. */
  private final Map<Lane, Deque<Part>> pending = new EnumMap<>(Lane.class);
  private final TaskRegistry registry;
  /**
   * While the router handles an executor's {@link PartOutcomes}: the answers for parts that came
   * in {@link SubmitParts}, per submitter, sent gathered at its end; null otherwise.
   */
  private Map<ActorRef<PartOutcomes>, List<PartOutcome>> relaying;

  private Router(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      RouterSettings settings,
      ActorRef<Executor.Command> localExecutor,
      TaskRegistry registry) {
    super(context);
    this.registry = registry;
    for (Lane lane : Lane.values()) {
      pending.put(lane, new ArrayDeque<>());
    }
    this.deadlines = new Deadlines<>(timers, DeadlinesDue.INSTANCE);
    this.settings = settings;
    this.localExecutor = localExecutor;
    Cluster cluster = Cluster.get(context.getSystem());
    this.book = new ExecutorBook(cluster, context.getLog(), settings.queueAhead());
    this.outcomeAdapter = context.messageAdapter(PartOutcome.class, OutcomeReceived::new);
    this.outcomesAdapter = context.messageAdapter(PartOutcomes.class, OutcomesReceived::new);
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
    // One adapter per event class: an adapter of MemberEvent would take MemberRemoved as well.
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberLeft.class, MemberLeaving::new),
                ClusterEvent.MemberLeft.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberExited.class, MemberLeaving::new),
                ClusterEvent.MemberExited.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Submit.class, submit -> onSubmit(submit, null))
        .onMessage(SubmitParts.class, this::onSubmitParts)
        .onMessage(OutcomeReceived.class, received -> onOutcome(received.outcome()))
        .onMessage(OutcomesReceived.class, this::onOutcomes)
        .onMessageEquals(SendParts.INSTANCE, this::onSendParts)
        .onMessageEquals(DeadlinesDue.INSTANCE, this::onDeadlinesDue)
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessage(MemberRemoved.class, this::onMemberRemoved)
        .onMessage(MemberLeaving.class, this::onMemberLeaving)
        .onMessage(CapacityReported.class, this::onCapacity)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PreRestart.class, signal -> dropAll("the router restarted after a bug"))
        .onSignal(PostStop.class, signal -> dropAll("the router stopped"))
        .build();
  }

  private Behavior<Command> onSubmitParts(SubmitParts submitted) {
    for (Submit submit : submitted.parts()) {
      onSubmit(submit, submitted.replyTo());
    }
    return this;
  }

  /** @param gatheredReplyTo where the part's answer may come with others (see {@link SubmitParts}) */
  private Behavior<Command> onSubmit(Submit submit, ActorRef<PartOutcomes> gatheredReplyTo) {
    if (submit.mode() != Mode.PROCESS) {
      // Thread and async work stays on the node that received it; nothing to route or retry.
      localExecutor.tell(
          new RunPart(
              submit.partId(), submit.task(), submit.input(), submit.mode(),
              submit.timeoutMillis(), 1, submit.replyTo(), submit.timeoutFromStart()));
      return this;
    }
    if (!book.anyActive()) {
      submit.replyTo().tell(failure(submit, 0, Failure.NO_WORKERS, "no worker is up to run process work"));
      return this;
    }
    if (parts.containsKey(submit.partId())) {
      submit.replyTo().tell(failure(submit, 0, Failure.INVALID_INPUT, "part " + submit.partId() + " is in flight already"));
      return this;
    }
    Part part =
        new Part(
            submit, System.nanoTime() + submit.timeoutMillis() * 1_000_000, laneOf(submit.task()),
            gatheredReplyTo);
    if (!dispatch(part)) {
      if (pendingCount() >= settings.maxPending()) {
        submit.replyTo().tell(failure(submit, 0, Failure.OVERLOADED, "every worker is busy and the router's queue is full"));
        return this;
      }
      pending.get(part.lane).add(part);
    }
    parts.put(submit.partId(), part);
    if (part.target == null || !submit.timeoutFromStart()) {
      // A part timed from its start got its backstop when it was dispatched: keep that one.
      deadlines.set(submit.partId(), Duration.ofMillis(submit.timeoutMillis()));
    }
    return this;
  }

  private Behavior<Command> onOutcomes(OutcomesReceived received) {
    relaying = new HashMap<>();
    try {
      for (PartOutcome outcome : received.outcomes().all()) {
        onOutcome(outcome);
      }
    } finally {
      // Also should a bug interrupt the loop: these parts are finished here, answered only so.
      relaying.forEach(Router::relayGathered);
      relaying = null;
    }
    return this;
  }

  private static void relayGathered(ActorRef<PartOutcomes> replyTo, List<PartOutcome> outcomes) {
    List<PartSucceeded> succeeded = new ArrayList<>(outcomes.size());
    List<PartFailed> failed = new ArrayList<>();
    for (PartOutcome outcome : outcomes) {
      if (outcome instanceof PartSucceeded success) {
        succeeded.add(success);
      } else {
        failed.add((PartFailed) outcome);
      }
    }
    replyTo.tell(new PartOutcomes(succeeded, failed));
  }

  /** An executor's answer to the part's current attempt goes to the part's submitter. */
  private void relay(Part part, PartOutcome outcome) {
    if (relaying != null && part.gatheredReplyTo != null) {
      relaying.computeIfAbsent(part.gatheredReplyTo, replyTo -> new ArrayList<>()).add(outcome);
    } else {
      part.submit.replyTo().tell(outcome);
    }
  }

  private Behavior<Command> onOutcome(PartOutcome outcome) {
    Part part = parts.get(outcome.partId());
    if (part == null || part.attempt != outcome.attempt()) {
      getContext()
          .getLog()
          .debug("Dropping a late answer of part {} attempt {}", outcome.partId(), outcome.attempt());
      return this;
    }
    if (outcome instanceof PartFailed refusal && part.target != null) {
      if (refusal.failure() == Failure.DRAINING) {
        redirect(part);
        return this;
      }
      if ((refusal.failure() == Failure.UNKNOWN_TASK || refusal.failure() == Failure.UNSUPPORTED_MODE)
          && book.anyActiveExcept(with(part.refusedBy, part.target.ref))) {
        // A worker with another classpath: one that knows the task may take the part.
        part.refusedBy.add(part.target.ref);
        part.target.release(part.submit.partId());
        part.target = null;
        part.refused++;
        if (!dispatch(part)) {
          pending.get(part.lane).addFirst(part);
        }
        dispatchPending();
        return this;
      }
    }
    if (part.target != null) {
      part.target.completed++;
    }
    finish(part);
    relay(part, outcome);
    dispatchPending();
    return this;
  }

  private Behavior<Command> onDeadlinesDue() {
    for (String partId : deadlines.takeExpired()) {
      Part part = parts.get(partId);
      if (part == null) {
        continue;
      }
      if (part.target != null) {
        // Its executor answers a timeout of its own by now; should that be lost, the slot is not.
        part.target.ref.tell(new CancelPart(part.submit.partId(), part.attempt));
      }
      pending.get(part.lane).remove(part);
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
    }
    dispatchPending();
    return this;
  }

  private Behavior<Command> onCancel(Cancel cancel) {
    Part part = parts.get(cancel.partId());
    if (part == null) {
      // Not a process part in flight: if it is anywhere, it is on this node.
      localExecutor.tell(CancelPart.everyAttempt(cancel.partId()));
      return this;
    }
    if (part.target != null) {
      part.target.ref.tell(new CancelPart(cancel.partId(), part.attempt));
    }
    pending.get(part.lane).remove(part);
    finish(part);
    part.submit
        .replyTo()
        .tell(failure(part.submit, part.attempt, Failure.CANCELLED, "the part was cancelled"));
    dispatchPending();
    return this;
  }

  private Behavior<Command> onListing(ListingChanged changed) {
    ExecutorBook.ListingChanges changes = book.onListing(changed.listing());
    for (ActorRef<Executor.Command> added : changes.added()) {
      // Its listing alone cannot tell an executor that stopped from one that drains.
      getContext().watch(added);
      added.tell(new Executor.GetCapacity(capacityAdapter));
    }
    changes.lost().forEach(this::lose);
    changes.back().forEach(this::cancelAbandoned);
    dispatchPending();
    return this;
  }

  private Behavior<Command> onReachability(ReachabilityChanged changed) {
    Address address = changed.event().member().address();
    if (changed.event() instanceof ClusterEvent.UnreachableMember) {
      book.onUnreachable(address).forEach(this::lose);
    } else {
      book.onReachable(address).forEach(this::cancelAbandoned);
    }
    dispatchPending();
    return this;
  }

  private Behavior<Command> onMemberRemoved(MemberRemoved removed) {
    book.onRemoved(removed.event().member().address()).forEach(this::lose);
    dispatchPending();
    return this;
  }

  private Behavior<Command> onMemberLeaving(MemberLeaving leaving) {
    book.onLeaving(leaving.event().member().address());
    dispatchPending();
    return this;
  }

  private Behavior<Command> onTerminated(Terminated terminated) {
    book.onStopped(terminated.getRef()).ifPresent(this::lose);
    dispatchPending();
    return this;
  }

  private Behavior<Command> onCapacity(CapacityReported reported) {
    Executor.Capacity capacity = reported.capacity();
    if (book.onCapacity(capacity.executor(), capacity.blockingSlots(), capacity.cpuSlots())) {
      dispatchPending();
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus command) {
    command.replyTo().tell(book.status());
    return this;
  }

  /** Asked for every part that finds no room: a loop, as a stream per part showed in profiles. */
  private int pendingCount() {
    int count = 0;
    for (Deque<Part> waiting : pending.values()) {
      count += waiting.size();
    }
    return count;
  }

  /** The lane of a process part of the task; a task this node does not know counts as blocking. */
  private Lane laneOf(String task) {
    try {
      return registry.find(task).map(found -> Lane.of(Mode.PROCESS, found.task())).orElse(Lane.BLOCKING);
    } catch (RuntimeException e) {
      return Lane.BLOCKING; // cpuBound() is the task's own code; its executor will say more
    }
  }

  private static Set<ActorRef<Executor.Command>> with(
      Set<ActorRef<Executor.Command>> refs, ActorRef<Executor.Command> one) {
    Set<ActorRef<Executor.Command>> all = new HashSet<>(refs);
    all.add(one);
    return all;
  }

  /** Sends the part to the executor with the most room; false when every window is full. */
  private boolean dispatch(Part part) {
    ExecutorBook.Entry target = book.pick(part.lane, part.refusedBy).orElse(null);
    if (target == null) {
      return false;
    }
    part.attempt++;
    part.target = target;
    target.hold(part.submit.partId(), part.lane);
    Submit submit = part.submit;
    long timeoutMillis;
    if (submit.timeoutFromStart()) {
      // The executor times the part from its start; before that it may wait behind the parts
      // queued ahead of it there, each at most as long. This bounds both, and is the backstop
      // should its answer be lost.
      timeoutMillis = submit.timeoutMillis();
      long rounds = 2 + (long) Math.ceil(target.queueAhead());
      deadlines.set(submit.partId(), Duration.ofMillis(rounds * timeoutMillis).plus(settings.answerGrace()));
    } else {
      timeoutMillis = Math.max(1, (part.deadlineNanos - System.nanoTime()) / 1_000_000);
    }
    RunPart run =
        new RunPart(
            submit.partId(), submit.task(), submit.input(), Mode.PROCESS, timeoutMillis,
            part.attempt, outcomeAdapter, submit.timeoutFromStart());
    if (target.isLocal()) {
      target.ref.tell(run); // in this JVM: no message to save
    } else {
      gather(target, run);
    }
    return true;
  }

  /**
   * Keeps a part for its remote executor until {@link SendParts} (or until the batch would not fit
   * in one message between nodes): one Artery message for the many parts a burst dispatches.
   */
  private void gather(ExecutorBook.Entry target, RunPart run) {
    long maxBytes = settings.maxBatchBytes();
    // As PartSerializer writes a part: 64 bytes hold its mode, numbers and reply address's index.
    long bytes = 64 + WireSize.of(run.partId()) + WireSize.of(run.task()) + WireSize.atMost(run.input(), maxBytes);
    if (partBatches.isEmpty()) {
      getContext().getSelf().tell(SendParts.INSTANCE);
    }
    PartBatch batch = partBatches.computeIfAbsent(target, entry -> new PartBatch());
    if (!batch.parts.isEmpty() && batch.bytes + bytes > maxBytes) {
      send(target, batch);
      batch = new PartBatch();
      partBatches.put(target, batch);
    }
    batch.bytes += bytes;
    batch.parts.add(run);
  }

  private Behavior<Command> onSendParts() {
    partBatches.forEach(this::send);
    partBatches.clear();
    return this;
  }

  /**
   * Sends what is still meant for the executor: a part cancelled, timed out or sent elsewhere
   * since it was gathered is left out (its executor would run it for nobody).
   */
  private void send(ExecutorBook.Entry target, PartBatch batch) {
    List<RunPart> current = new ArrayList<>(batch.parts.size());
    for (RunPart run : batch.parts) {
      Part part = parts.get(run.partId());
      if (part != null && part.target == target && part.attempt == run.attempt()) {
        current.add(run);
      }
    }
    if (current.size() == 1) {
      target.ref.tell(current.get(0)); // answered alone, as a call's single part wants it fast
    } else if (!current.isEmpty()) {
      target.ref.tell(new RunParts(current, outcomesAdapter));
    }
  }

  /**
   * Sends waiting parts to executors with room. With no executor left that takes work, waiting
   * parts fail at once as new ones do ({@link Failure#NO_WORKERS}), rather than at their deadline.
   */
  private void dispatchPending() {
    for (Deque<Part> waiting : pending.values()) {
      while (!waiting.isEmpty() && dispatch(waiting.peek())) {
        waiting.poll();
      }
    }
    if (pendingCount() > 0 && !book.anyActive()) {
      for (Deque<Part> waiting : pending.values()) {
        for (Part part : List.copyOf(waiting)) {
          finish(part);
          part.submit
              .replyTo()
              .tell(failure(part.submit, part.attempt, Failure.NO_WORKERS, "no worker is up to run process work"));
        }
        waiting.clear();
      }
    }
  }

  /**
   * A draining executor refused the part (its node leaves, and this router had not heard yet): it
   * gets no new part from now on, and the part goes elsewhere, the refusal not counted.
   */
  private void redirect(Part part) {
    ExecutorBook.Entry target = part.target;
    book.onDraining(target);
    target.release(part.submit.partId());
    part.target = null;
    part.refused++;
    if (!book.anyActive()) {
      finish(part);
      part.submit.replyTo().tell(failure(part.submit, part.attempt, Failure.NO_WORKERS, "no worker is up to run process work"));
    } else if (!dispatch(part)) {
      pending.get(part.lane).addFirst(part);
    }
    dispatchPending();
  }

  /**
   * This incarnation ends (a bug restarts the router, or it stops): its parts are answered now, as
   * no later incarnation knows of them, and their executors are told to stop them.
   */
  private Behavior<Command> dropAll(String why) {
    for (Part part : parts.values()) {
      if (part.target != null) {
        part.target.ref.tell(new CancelPart(part.submit.partId(), part.attempt));
      }
      part.submit.replyTo().tell(failure(part.submit, part.attempt, Failure.INTERNAL, why));
    }
    parts.clear();
    pending.values().forEach(Deque::clear);
    partBatches.clear();
    return this;
  }

  /** The executor's parts go elsewhere, or fail once they have used up their attempts. */
  private void lose(ExecutorBook.Lost lost) {
    ExecutorBook.Entry target = lost.entry();
    String why = lost.why();
    if (target.inFlightParts().isEmpty()) {
      getContext().getLog().info("Executor on {} {}", target.address, why);
      return;
    }
    getContext()
        .getLog()
        .warn("Executor on {} {}: {} parts go elsewhere", target.address, why, target.inFlightParts().size());
    boolean anyActive = book.anyActive();
    boolean mayComeBack = target.state == ExecutorState.UNREACHABLE;
    for (String partId : List.copyOf(target.inFlightParts())) {
      Part part = parts.get(partId);
      target.release(partId);
      if (part == null) {
        continue;
      }
      if (mayComeBack) {
        // It may still run the part: cancelled now (should this reach it) and when it is back.
        target.abandoned.put(partId, part.attempt);
        target.ref.tell(new CancelPart(partId, part.attempt));
      }
      part.target = null;
      if (part.attempt - part.refused >= settings.maxAttempts() || !anyActive) {
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
        pending.get(part.lane).addFirst(part);
      }
    }
  }

  /**
   * An executor that is reachable again may still run parts that went elsewhere while it was not:
   * they would hold its slots, uncounted here, until their timeouts. Cancel them.
   */
  private void cancelAbandoned(ExecutorBook.Entry entry) {
    if (!entry.abandoned.isEmpty()) {
      getContext()
          .getLog()
          .info("Executor on {} is back: cancelling {} parts that went elsewhere", entry.address, entry.abandoned.size());
      entry.abandoned.forEach((partId, attempt) -> entry.ref.tell(new CancelPart(partId, attempt)));
      entry.abandoned.clear();
    }
  }

  private void finish(Part part) {
    parts.remove(part.submit.partId());
    deadlines.cancel(part.submit.partId());
    if (part.target != null) {
      part.target.release(part.submit.partId());
    }
  }

  private static PartFailed failure(Submit submit, int attempt, Failure failure, String message) {
    return PartFailed.byRouter(submit.partId(), attempt, failure, message);
  }
}
