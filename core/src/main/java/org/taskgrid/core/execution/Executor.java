package org.taskgrid.core.execution;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.ServiceKey;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.taskgrid.core.CborSerializable;
import org.taskgrid.core.Deadlines;
import org.taskgrid.core.execution.PartProtocol.CancelPart;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartOutcomes;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.execution.PartProtocol.RunParts;
import org.taskgrid.core.metrics.LaneGauges;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

/**
 * Runs parts of work on this node, each in the lane its mode asks for, with a bounded number of
 * slots per lane and a bounded queue behind them. Never blocks its own thread: blocking and CPU
 * work run on their dispatchers and come back as messages. Answers every {@link RunPart} exactly
 * once, by its deadline at the latest.
 */
public final class Executor extends AbstractBehavior<Executor.Command> {

  /** Under this key every node with the {@code worker} role lists its executor. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "taskgrid-executor");

  /**
   * What the executor is told: the parts of {@link PartProtocol} ({@link RunPart}, {@link
   * CancelPart}), and what a node and the router ask of it.
   */
  public sealed interface Command
      permits RunPart,
          RunParts,
          CancelPart,
          GetCapacity,
          Drain,
          Executor.Finished,
          Executor.DeadlinesDue,
          Executor.SendOutcomes {}

  /** Tell how many process parts this executor runs at once; answered with {@link Capacity}. */
  public record GetCapacity(ActorRef<Capacity> replyTo) implements Command, CborSerializable {}

  /**
   * What {@link GetCapacity} answers: the slots of the lanes that process work runs on, each lane
   * apart (a CPU-bound part can use only the CPU slots).
   */
  public record Capacity(ActorRef<Command> executor, int blockingSlots, int cpuSlots)
      implements CborSerializable {
    /** Every process slot, of both lanes. */
    public int slots() {
      return blockingSlots + cpuSlots;
    }
  }

  /**
   * Answer {@link Drained} once no part runs or waits here: a worker that leaves gracefully
   * finishes its work first. Parts that still arrive are refused as {@link Failure#DRAINING}, and
   * their routers send them elsewhere.
   */
  public record Drain(ActorRef<Drained> replyTo) implements Command {}

  /** The answer to {@link Drain}. */
  public enum Drained {
    INSTANCE
  }

  /**
   * A part's work ended, told from the thread it ended on. {@code outcome} is its answer: the
   * executor sends it with the others when the part came {@code gathered} in {@link RunParts};
   * else that thread answered already (or the executor did before: a timeout, a cancel), and the
   * executor only frees the slot. {@code error} is what the task threw, if anything, for the log.
   */
  private record Finished(long runId, PartOutcome outcome, Throwable error, boolean gathered)
      implements Command {}

  /** Some part's deadline has passed (see {@link Deadlines}). */
  private enum DeadlinesDue implements Command {
    INSTANCE
  }

  /**
   * Sends the answers gathered for parts that came in {@link RunParts}. Told to itself when the
   * first answer is gathered, so it comes after the messages already in the mailbox: the answers
   * that those produce travel in the same message.
   */
  private enum SendOutcomes implements Command {
    INSTANCE
  }

  /** Answers on their way to one router, and an upper bound of their bytes in CBOR. */
  private static final class OutcomeBatch {
    final List<PartSucceeded> succeeded = new ArrayList<>();
    final List<PartFailed> failed = new ArrayList<>();
    long bytes;

    boolean isEmpty() {
      return succeeded.isEmpty() && failed.isEmpty();
    }
  }

  /** A part from its arrival to the end of its work (which may come after its answer). */
  private static final class Run {
    final long id;
    final RunPart command;
    /** Where its answer goes, gathered with others, when it came in {@link RunParts}; else null. */
    final ActorRef<PartOutcomes> batchReplyTo;
    final RegisteredTask<?> task;
    final Lane lane;
    BlockingRun blocking;
    /** The stage of a running async part, handed over from the thread that started it. */
    final AtomicReference<CompletionStage<JsonNode>> asyncStage = new AtomicReference<>();
    /** Set once an async part was answered otherwise: its stage need not start, or is cancelled. */
    volatile boolean abandoned;
    long startNanos;
    boolean started;
    /**
     * Taken by whoever answers the part: the executor (a timeout, a cancel, a gathered answer) or
     * the thread its work ended on. Whoever loses the race sends nothing: one answer per part.
     */
    private final AtomicBoolean answered = new AtomicBoolean();

    Run(long id, RunPart command, ActorRef<PartOutcomes> batchReplyTo, RegisteredTask<?> task, Lane lane) {
      this.id = id;
      this.command = command;
      this.batchReplyTo = batchReplyTo;
      this.task = task;
      this.lane = lane;
    }

    /** True for exactly one caller: the one that answers the part. */
    boolean claimAnswer() {
      return answered.compareAndSet(false, true);
    }
  }

  public static Behavior<Command> create(
      TaskRegistry registry, ExecutorSettings settings, String node) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new Executor(context, timers, registry, settings, node)));
  }

  private static final CBORMapper CBOR = new CBORMapper();

  /** Each part's deadline, by run id: answered as a timeout when it passes. */
  private final Deadlines<Long> deadlines;
  private final TaskRegistry registry;
  private final ExecutorSettings settings;
  private final String node;
  /** Kept for the pool threads, which tell it when a part's work ends (the context is not theirs). */
  private final ActorRef<Command> self;
  private final Map<Lane, java.util.concurrent.Executor> pools = new EnumMap<>(Lane.class);
  private final Map<Lane, Integer> running = new EnumMap<>(Lane.class);
  private final Map<Lane, Queue<Run>> waiting = new EnumMap<>(Lane.class);
  private final Map<Long, Run> runs = new HashMap<>();
  private final List<ActorRef<Drained>> drainWaiters = new ArrayList<>();
  /** Answers to batched parts not sent yet, per router (insertion order: fair between them). */
  private final Map<ActorRef<PartOutcomes>, OutcomeBatch> outcomeBatches = new LinkedHashMap<>();
  private final LaneGauges laneGauges;
  /**
   * Run ids, unique in the JVM rather than per incarnation: a restarted executor keeps its address,
   * and the parts of the incarnation before still report their end to it; with a counter that
   * started again at 0, such a late end was taken for a new part's (ExecutorTest caught one).
   */
  private static final AtomicLong RUN_IDS = new AtomicLong();
  private boolean draining;

  private Executor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      TaskRegistry registry,
      ExecutorSettings settings,
      String node) {
    super(context);
    this.deadlines = new Deadlines<>(timers, DeadlinesDue.INSTANCE);
    this.registry = registry;
    this.settings = settings;
    this.node = node;
    this.self = context.getSelf();
    this.laneGauges = LaneGauges.of(context.getSystem());
    laneGauges.slots(settings.slots());
    for (Lane lane : Lane.values()) {
      running.put(lane, 0);
      waiting.put(lane, new ArrayDeque<>());
      pools.put(
          lane,
          lane.dispatcher() == null
              ? context.getExecutionContext()
              : context
                  .getSystem()
                  .dispatchers()
                  .lookup(DispatcherSelector.fromConfig(lane.dispatcher())));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RunPart.class, command -> accept(command, null))
        .onMessage(RunParts.class, this::onRunParts)
        .onMessageEquals(SendOutcomes.INSTANCE, this::onSendOutcomes)
        .onMessage(Finished.class, this::onFinished)
        .onMessageEquals(DeadlinesDue.INSTANCE, this::onDeadlinesDue)
        .onMessage(CancelPart.class, this::onCancelPart)
        .onMessage(GetCapacity.class, this::onGetCapacity)
        .onMessage(Drain.class, this::onDrain)
        .onSignal(PreRestart.class, signal -> dropAll("the executor restarted after a bug", true))
        // Stopped, it answers nothing: its routers watch it and send its parts elsewhere.
        .onSignal(PostStop.class, signal -> dropAll("the executor stopped", false))
        .build();
  }

  private Behavior<Command> onRunParts(RunParts batch) {
    for (RunPart part : batch.parts()) {
      accept(part, batch.replyTo());
    }
    return this;
  }

  /** One part, answered alone ({@code batchReplyTo} null) or gathered with others. */
  private Behavior<Command> accept(RunPart command, ActorRef<PartOutcomes> batchReplyTo) {
    if (draining) {
      return refuse(command, batchReplyTo, Failure.DRAINING, "this worker is leaving and takes no new part");
    }
    RegisteredTask<?> task = registry.find(command.task()).orElse(null);
    if (task == null) {
      return refuse(command, batchReplyTo, Failure.UNKNOWN_TASK, "no task is named '" + command.task() + "'");
    }
    Lane lane;
    try {
      if (!task.task().modes().contains(command.mode())) {
        return refuse(
            command,
            batchReplyTo,
            Failure.UNSUPPORTED_MODE,
            "task '" + task.name() + "' does not run in mode " + command.mode().wireName());
      }
      lane = Lane.of(command.mode(), task.task());
    } catch (RuntimeException e) {
      // modes() and cpuBound() are the task's own code: a bug there fails the part, not the executor.
      getContext().getLog().warn("Task '{}' failed to say how it runs", task.name(), e);
      return refuse(command, batchReplyTo, Failure.TASK_FAILED, "task '" + task.name() + "' failed: " + e);
    }
    boolean slotFree = running.get(lane) < settings.slots().get(lane);
    if (!slotFree && waiting.get(lane).size() >= settings.maxQueued()) {
      return refuse(
          command, batchReplyTo, Failure.OVERLOADED, "every " + lane + " slot is busy and the queue is full");
    }
    Run run = new Run(RUN_IDS.getAndIncrement(), command, batchReplyTo, task, lane);
    runs.put(run.id, run);
    if (!command.timeoutFromStart()) {
      deadlines.set(run.id, Duration.ofMillis(command.timeoutMillis()));
    }
    if (slotFree) {
      start(run);
    } else {
      waiting.get(lane).add(run);
    }
    publishLoad(lane);
    return this;
  }

  /** The lane's gauges read copies: the counts themselves stay this actor's. */
  private void publishLoad(Lane lane) {
    laneGauges.update(lane, running.get(lane), waiting.get(lane).size());
  }

  private void start(Run run) {
    running.merge(run.lane, 1, Integer::sum);
    run.startNanos = System.nanoTime();
    run.started = true;
    if (run.command.timeoutFromStart()) {
      // Its own time starts now. Its wait for a slot had no deadline here: the parts queued ahead
      // of it decide how long that takes, and its router, which sent them, bounds it.
      deadlines.set(run.id, Duration.ofMillis(run.command.timeoutMillis()));
    }
    RunPart command = run.command;
    if (run.lane == Lane.ASYNC) {
      // Started off this actor's own message handling, so a slow runAsync cannot stall the executor.
      pools.get(Lane.ASYNC).execute(() -> startAsync(run));
    } else {
      run.blocking =
          new BlockingRun(
              () -> fitting(run.task.run(command.input()), command),
              (result, error) -> ended(run, result, error, Thread.currentThread().getName()));
      pools.get(run.lane).execute(run.blocking);
    }
  }

  /**
   * On a pool thread: starts an async part's stage and ends the part when the stage completes. A
   * stage already complete when runAsync returns it (a task that answers at once, like echo) is
   * ended right here, on this thread: a second task on the pool would only add a hand-over.
   */
  private void startAsync(Run run) {
    CompletionStage<JsonNode> stage;
    try {
      if (run.abandoned) {
        throw new CancellationException("answered before it started");
      }
      stage = run.task.runAsync(run.command.input());
      if (stage == null) {
        throw new IllegalStateException("task '" + run.task.name() + "' returned no stage");
      }
    } catch (Throwable e) {
      ended(run, null, e, PartProtocol.NO_THREAD);
      return;
    }
    run.asyncStage.set(stage);
    if (run.abandoned) {
      cancel(stage); // answered while it was starting
    }
    CompletableFuture<JsonNode> completed = completedOrNull(stage);
    if (completed != null) {
      JsonNode result;
      try {
        result = completed.join();
      } catch (CompletionException | CancellationException e) {
        ended(run, null, e, PartProtocol.NO_THREAD);
        return;
      }
      endAsync(run, result, null);
    } else {
      // On our pool, not on whatever thread (a task's own I/O or timer) ends the stage; the
      // stage holds no thread meanwhile.
      stage.whenCompleteAsync((result, error) -> endAsync(run, result, error), pools.get(Lane.ASYNC));
    }
  }

  /** The stage as a future when it is complete already, else null (also for a stage of its own kind). */
  private static CompletableFuture<JsonNode> completedOrNull(CompletionStage<JsonNode> stage) {
    try {
      CompletableFuture<JsonNode> future = stage.toCompletableFuture();
      return future.isDone() ? future : null;
    } catch (UnsupportedOperationException e) {
      return null; // a read-only stage (say, of a Scala Future): wait for it
    }
  }

  /** On a pool thread: an async part's stage completed; checks that its result fits. */
  private void endAsync(Run run, JsonNode result, Throwable error) {
    if (error == null) {
      try {
        result = fitting(result, run.command);
      } catch (RuntimeException e) {
        result = null;
        error = e;
      }
    }
    ended(run, result, error, PartProtocol.NO_THREAD);
  }

  /**
   * On the thread where a part's work ended. A part that came alone is answered from here, unless
   * the executor answered it already (timeout, cancel): the asker need not wait for the executor's
   * mailbox, which only has to learn that the slot is free. The executor is told first, so a
   * part sent after the answer arrives finds the slot free. A gathered part's answer travels with
   * the others, which the executor gathers.
   */
  private void ended(Run run, JsonNode result, Throwable error, String thread) {
    RunPart command = run.command;
    PartOutcome outcome;
    if (error == null) {
      long millis = (System.nanoTime() - run.startNanos) / 1_000_000;
      outcome = new PartSucceeded(command.partId(), command.attempt(), node, result, thread, millis);
    } else {
      outcome = failure(command, unwrap(error));
    }
    boolean gathered = run.batchReplyTo != null;
    boolean answerHere = !gathered && run.claimAnswer();
    self.tell(new Finished(run.id, outcome, error, gathered));
    if (answerHere) {
      command.replyTo().tell(outcome);
    }
  }

  /** Asks an async part's stage to stop; a stage that cannot be cancelled is left to itself. */
  private static void cancel(CompletionStage<JsonNode> stage) {
    try {
      stage.toCompletableFuture().cancel(true);
    } catch (UnsupportedOperationException e) {
      // A stage of its own kind, with no way to cancel it: its slot is free all the same.
    }
  }

  /**
   * The result, or a failure when it is too large to reach the node that asked for it (Artery would
   * drop it, and the caller would wait out its timeout). Measured on the thread that made it.
   */
  private JsonNode fitting(JsonNode result, RunPart command) {
    if (result == null || !command.replyTo().path().address().hasGlobalScope()) {
      return result; // answered within this JVM: no frame to fit in
    }
    if (WireSize.atMost(result, settings.maxRemoteResultBytes()) <= settings.maxRemoteResultBytes()) {
      return result; // surely fits: no need to encode it twice
    }
    long bytes;
    try {
      bytes = CBOR.writeValueAsBytes(result).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the result cannot be encoded as CBOR: " + e.getMessage(), e);
    }
    if (bytes > settings.maxRemoteResultBytes()) {
      throw new IllegalStateException(
          "the result is " + bytes + " bytes in CBOR, more than the "
              + settings.maxRemoteResultBytes() + " a message between nodes may carry");
    }
    return result;
  }

  private Behavior<Command> onGetCapacity(GetCapacity command) {
    command
        .replyTo()
        .tell(
            new Capacity(
                getContext().getSelf(), settings.slots().get(Lane.BLOCKING), settings.slots().get(Lane.CPU)));
    return this;
  }

  private Behavior<Command> onDrain(Drain command) {
    // The routers may not have seen the executor leave their listing yet: what they still send is
    // refused as DRAINING, which they send elsewhere without counting an attempt. So are the parts
    // that wait here for a slot (the routers send parts ahead): the node finishes only what runs.
    draining = true;
    for (Queue<Run> queue : waiting.values()) {
      for (Run run : List.copyOf(queue)) {
        stop(run, Failure.DRAINING, "this worker is leaving and did not start the part");
      }
    }
    drainWaiters.add(command.replyTo());
    answerDrainWaitersIfIdle();
    return this;
  }

  private void answerDrainWaitersIfIdle() {
    if (runs.isEmpty()) {
      drainWaiters.forEach(waiter -> waiter.tell(Drained.INSTANCE));
      drainWaiters.clear();
    }
  }

  private Behavior<Command> onFinished(Finished finished) {
    Run run = runs.remove(finished.runId());
    if (run == null) {
      return this;
    }
    running.merge(run.lane, -1, Integer::sum);
    laneGauges.finished(run.lane);
    deadlines.cancel(finished.runId());
    if (finished.error() != null && !(unwrap(finished.error()) instanceof InvalidInputException)) {
      getContext().getLog().debug("Task '{}' failed", run.command.task(), finished.error());
    }
    if (finished.gathered() && run.claimAnswer()) {
      answer(run.command, run.batchReplyTo, finished.outcome());
    }
    startNext(run.lane);
    publishLoad(run.lane);
    answerDrainWaitersIfIdle();
    return this;
  }

  private Behavior<Command> onDeadlinesDue() {
    for (long runId : deadlines.takeExpired()) {
      Run run = runs.get(runId);
      if (run == null) {
        continue;
      }
      stop(
          run,
          Failure.TIMEOUT,
          "task '" + run.command.task() + "' did not finish within " + run.command.timeoutMillis() + " ms");
    }
    return this;
  }

  private Behavior<Command> onCancelPart(CancelPart cancel) {
    for (Run run : List.copyOf(runs.values())) {
      if (run.command.partId().equals(cancel.partId())
          && run.command.attempt() <= cancel.upToAttempt()) {
        stop(run, Failure.CANCELLED, "the part was cancelled");
      }
    }
    return this;
  }

  /** Answers the part now; a waiting part never starts, a running one is asked to stop. */
  private void stop(Run run, Failure failure, String message) {
    if (!run.claimAnswer()) {
      return; // answered already, maybe by the thread its work ended on: its Finished frees the slot
    }
    deadlines.cancel(run.id);
    if (waiting.get(run.lane).remove(run)) {
      runs.remove(run.id);
      publishLoad(run.lane);
      answerDrainWaitersIfIdle();
    } else if (run.blocking != null) {
      // The slot stays taken until the thread really returns; interrupting asks it to hurry.
      run.blocking.interrupt();
    } else if (run.lane == Lane.ASYNC) {
      // An async part holds no thread, so its slot is free now, even if its stage never ends.
      run.abandoned = true;
      CompletionStage<JsonNode> stage = run.asyncStage.get();
      if (stage != null) {
        cancel(stage);
      }
      runs.remove(run.id);
      running.merge(run.lane, -1, Integer::sum);
      startNext(run.lane);
      answerDrainWaitersIfIdle();
    }
    answer(run.command, run.batchReplyTo, run.command.failed(node, failure, message));
  }

  /**
   * This incarnation ends (a bug restarts the executor, or it stops): running parts are asked to
   * stop. After a restart every part not answered yet is answered now, as the new incarnation
   * (the same address, so nobody sees it go) knows nothing of it.
   */
  private Behavior<Command> dropAll(String why, boolean answer) {
    for (Run run : runs.values()) {
      // Claimed before the work is stopped (which ends it at once, on its own thread), and claimed
      // either way: after this incarnation ends, no pool thread answers for it.
      if (run.claimAnswer() && answer) {
        answer(run.command, run.batchReplyTo, run.command.failed(node, Failure.INTERNAL, why));
      }
      if (run.blocking != null) {
        run.blocking.interrupt();
      }
      run.abandoned = true;
      CompletionStage<JsonNode> stage = run.asyncStage.get();
      if (stage != null) {
        cancel(stage);
      }
    }
    runs.clear();
    // No later message sends them: this incarnation's mailbox ends here.
    onSendOutcomes();
    drainWaiters.forEach(waiter -> waiter.tell(Drained.INSTANCE));
    drainWaiters.clear();
    return this;
  }

  private void startNext(Lane lane) {
    Run next = waiting.get(lane).poll();
    if (next != null) {
      start(next);
    }
  }

  /** The answer to a part whose task threw; built on the thread it threw on. */
  private PartFailed failure(RunPart command, Throwable error) {
    if (error instanceof InvalidInputException invalid) {
      return command.failed(node, Failure.INVALID_INPUT, invalid.getMessage(), invalid.field().orElse(null));
    }
    String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
    return command.failed(node, Failure.TASK_FAILED, message);
  }

  private Behavior<Command> refuse(
      RunPart command, ActorRef<PartOutcomes> batchReplyTo, Failure failure, String message) {
    answer(command, batchReplyTo, command.failed(node, failure, message));
    return this;
  }

  /**
   * Answers a part: at once to its own {@code replyTo}, or, when it came in {@link RunParts},
   * gathered with the other answers for that router until {@link SendOutcomes} (or until the
   * batch would not fit in one message between nodes).
   */
  private void answer(RunPart command, ActorRef<PartOutcomes> batchReplyTo, PartOutcome outcome) {
    if (batchReplyTo == null) {
      command.replyTo().tell(outcome);
      return;
    }
    long bytes = sizeOf(outcome);
    if (outcomeBatches.isEmpty()) {
      getContext().getSelf().tell(SendOutcomes.INSTANCE);
    }
    OutcomeBatch batch = outcomeBatches.computeIfAbsent(batchReplyTo, router -> new OutcomeBatch());
    if (!batch.isEmpty() && batch.bytes + bytes > settings.maxRemoteResultBytes()) {
      send(batchReplyTo, batch);
      batch = new OutcomeBatch();
      outcomeBatches.put(batchReplyTo, batch);
    }
    batch.bytes += bytes;
    if (outcome instanceof PartSucceeded succeeded) {
      batch.succeeded.add(succeeded);
    } else {
      batch.failed.add((PartFailed) outcome);
    }
  }

  private Behavior<Command> onSendOutcomes() {
    outcomeBatches.forEach(Executor::send);
    outcomeBatches.clear();
    return this;
  }

  private static void send(ActorRef<PartOutcomes> router, OutcomeBatch batch) {
    if (!batch.isEmpty()) {
      router.tell(new PartOutcomes(batch.succeeded, batch.failed));
    }
  }

  /**
   * An upper bound of the answer's bytes as {@link PartSerializer} writes it: 64 bytes hold its
   * attempt, its time and its failure's name (see {@link WireSize}).
   */
  private long sizeOf(PartOutcome outcome) {
    long bytes = 64 + WireSize.of(outcome.partId()) + WireSize.of(outcome.node());
    if (outcome instanceof PartSucceeded succeeded) {
      return bytes
          + WireSize.of(succeeded.thread())
          + WireSize.atMost(succeeded.result(), settings.maxRemoteResultBytes());
    }
    PartFailed failed = (PartFailed) outcome;
    return bytes + WireSize.of(failed.message()) + WireSize.of(failed.field());
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
