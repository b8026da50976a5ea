package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.metrics.PartClock;
import org.taskgrid.core.metrics.PartMetrics;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.Mode;
import org.taskgrid.gateway.admission.Admission;
import org.taskgrid.gateway.jobs.store.StoredJob;

/**
 * Runs one job: asks admission control to admit it (and answers the caller of {@link
 * JobManager.StartJob} or {@link JobManager.ResumeJob} either way), writes it to the job store when
 * that is on (a new job before its 202; a resumed one is claimed and its recorded part results read
 * back), dispatches its parts through the router within a bounded window (the slots that admission
 * control grants it, at most what the workers can hold), gathers their results, and merges them or
 * keeps them in input order. At the first part that fails for good (the job fails) or when
 * cancelled, it cancels the parts in flight and ends. It reports to the {@link JobManager} that it
 * was accepted, its progress at most once per progress interval, and its final state once; with a
 * store, each part result and the final state also go to the {@link JobJournal}, which tells it
 * when another gateway owns the job now (it stops quietly) or a cancel was asked elsewhere.
 */
public final class JobCoordinator extends AbstractBehavior<JobCoordinator.Command> {

  /** What a coordinator is told. */
  public sealed interface Command {}

  /** Stop the job: no part starts any more, running parts are cancelled. */
  public enum Cancel implements Command {
    INSTANCE
  }

  /** From the journal: another gateway claimed the job, so this one stops without a word. */
  public enum OwnershipLost implements Command {
    INSTANCE
  }

  /** How a job comes to this coordinator. */
  public sealed interface Origin {}

  /**
   * A job just posted.
   *
   * @param request its validated JSON body, which the store keeps (as text) to build it again
   */
  public record Posted(JsonNode request) implements Origin {}

  /**
   * A job of a gateway that is gone, resumed here.
   *
   * @param previousOwner who owned it in the store, whom the claim replaces
   * @param retried its {@code retried} count so far
   */
  public record Resumed(
      String previousOwner, String createdAt, int retried, boolean cancelRequested)
      implements Origin {}

  private record SlotsGranted(int slots) implements Command {}

  private record OutcomeReceived(PartProtocol.PartOutcome outcome) implements Command {}

  /** Answers that the router had several of at once (see {@link Router.SubmitParts}). */
  private record OutcomesReceived(PartProtocol.PartOutcomes outcomes) implements Command {}

  private record CapacityRead(Router.Status status) implements Command {}

  /** The store holds the job: its recorded part results (none for a new one), or empty if another gateway claimed it first. */
  private record Stored(Optional<Map<Integer, String>> recorded) implements Command {}

  private record NotStored(Throwable error) implements Command {}

  private enum Tick implements Command {
    PUBLISH,
    REFRESH_WINDOW,
    /** Every part had a recorded result already: the job can end at once. */
    CHECK_END
  }

  /**
   * A job that admission control may refuse: then it answers {@code replyTo} {@link
   * JobManager.Overloaded} and stops at once; otherwise, once the store holds it, it tells the
   * manager it was accepted, then answers its id.
   */
  public static Behavior<Command> create(
      String id,
      JobSpec spec,
      Origin origin,
      ActorRef<JobManager.StartAnswer> replyTo,
      JobEnvironment environment) {
    return Behaviors.setup(
        context -> {
          ActorRef<Command> self = context.getSelf();
          Optional<Admission.JobSlots> admitted =
              environment.admission().of(spec.mode()).admitJob(granted -> self.tell(new SlotsGranted(granted)));
          if (admitted.isEmpty()) {
            spec.charge().release();
            replyTo.tell(JobManager.Overloaded.INSTANCE);
            return Behaviors.stopped();
          }
          Admission.JobSlots slots = admitted.get();
          String createdAt =
              origin instanceof Resumed resumed ? resumed.createdAt() : Instant.now().toString();
          if (environment.storage().isEmpty()) {
            return accepted(id, createdAt, spec, origin, Map.of(), slots, replyTo, environment);
          }
          JobStorage storage = environment.storage().get();
          context.pipeToSelf(
              store(storage, id, createdAt, spec, origin),
              (recorded, error) -> error == null ? new Stored(recorded) : new NotStored(error));
          return Behaviors.receive(Command.class)
              .onMessage(
                  Stored.class,
                  stored -> {
                    if (stored.recorded().isEmpty()) {
                      context.getLog().info("Job {} was resumed by another gateway first", id);
                      slots.close();
                      spec.charge().release();
                      replyTo.tell(JobManager.ClaimedElsewhere.INSTANCE);
                      return Behaviors.stopped();
                    }
                    return accepted(
                        id, createdAt, spec, origin, stored.recorded().get(), slots, replyTo,
                        environment);
                  })
              .onMessage(
                  NotStored.class,
                  failed -> {
                    context.getLog().warn("The job store did not take job {}", id, failed.error());
                    slots.close();
                    spec.charge().release();
                    replyTo.tell(new JobManager.NotStored(String.valueOf(failed.error().getMessage())));
                    return Behaviors.stopped();
                  })
              // Stopped while the store writes (the gateway stops): what it holds goes back.
              .onSignal(
                  PostStop.class,
                  signal -> {
                    slots.close();
                    spec.charge().release();
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Writes a posted job, or claims a resumed one and reads its recorded part results back. */
  private static CompletionStage<Optional<Map<Integer, String>>> store(
      JobStorage storage, String id, String createdAt, JobSpec spec, Origin origin) {
    if (origin instanceof Posted posted) {
      return storage.store().call(store -> {
        // The body's text is written here, on the store's thread, not the actor's.
        store.create(
            StoredJob.accepted(
                id, spec.task().name(), spec.mode().wireName(), StoredJobs.text(posted.request()),
                spec.inputs().size(), Instant.parse(createdAt), storage.owner()));
        return Optional.of(Map.<Integer, String>of());
      });
    }
    Resumed resumed = (Resumed) origin;
    return storage.store().call(
        store ->
            store.claim(id, resumed.previousOwner(), storage.owner())
                ? Optional.of(store.partResults(id))
                : Optional.<Map<Integer, String>>empty());
  }

  /** Admitted and stored: the manager and the journal learn of the job before its caller does. */
  private static Behavior<Command> accepted(
      String id,
      String createdAt,
      JobSpec spec,
      Origin origin,
      Map<Integer, String> recorded,
      Admission.JobSlots slots,
      ActorRef<JobManager.StartAnswer> replyTo,
      JobEnvironment environment) {
    return Behaviors.setup(
        context -> {
          environment.manager().tell(
              new JobManager.JobAccepted(
                  JobView.accepted(id, spec, createdAt), context.getSelf(), slots, spec.charge()));
          environment.storage().ifPresent(storage -> storage.journal().tell(new JobJournal.Track(id, context.getSelf())));
          replyTo.tell(new JobManager.Running(id));
          return Behaviors.withTimers(
              timers ->
                  new JobCoordinator(context, timers, id, createdAt, spec, origin, recorded, slots, environment));
        });
  }

  private final String id;
  private final JobSpec spec;
  private final ActorRef<Router.Command> router;
  private final Admission.JobSlots slots;
  private final ActorRef<JobManager.Command> manager;
  private final Optional<ActorRef<JobJournal.Command>> journal;
  private final JobSettings settings;
  private final ActorRef<PartProtocol.PartOutcome> outcomeAdapter;
  private final ActorRef<PartProtocol.PartOutcomes> outcomesAdapter;
  /** Parts dispatched while handling the current message, submitted together at its end. */
  private final List<Router.Submit> submitting = new ArrayList<>();
  private final String createdAt;
  private final JsonNode[] results;
  /** Parts whose result the store held when the job was resumed: they do not run again. */
  private final BitSet recorded;
  private final ResultAccount resultAccount;
  private final Map<String, Integer> inFlight = new HashMap<>();
  private final List<JobView.PartError> errors = new ArrayList<>();
  private final PartClock partClock;
  private int window;
  private int next;
  private int done;
  private int failed;
  private int retried;
  private boolean changed;

  private JobCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String id,
      String createdAt,
      JobSpec spec,
      Origin origin,
      Map<Integer, String> recordedResults,
      Admission.JobSlots slots,
      JobEnvironment environment) {
    super(context);
    this.id = id;
    this.createdAt = createdAt;
    this.spec = spec;
    this.router = environment.router();
    this.slots = slots;
    this.manager = environment.manager();
    this.journal = environment.storage().map(JobStorage::journal);
    this.settings = environment.settings();
    this.results = new JsonNode[spec.inputs().size()];
    this.recorded = new BitSet(results.length);
    this.resultAccount = new ResultAccount(results.length, spec.charge(), settings);
    this.partClock = new PartClock(PartMetrics.of(context.getSystem()), spec.task().name(), spec.mode());
    this.outcomeAdapter = context.messageAdapter(PartProtocol.PartOutcome.class, OutcomeReceived::new);
    this.outcomesAdapter = context.messageAdapter(PartProtocol.PartOutcomes.class, OutcomesReceived::new);
    this.window = Math.min(settings.maxWindow(), results.length);
    if (origin instanceof Resumed resumed) {
      resume(resumed, recordedResults);
    }
    skipRecorded();
    timers.startTimerWithFixedDelay(Tick.PUBLISH, Tick.PUBLISH, settings.progressInterval());
    if (!dispatching() || !errors.isEmpty()) {
      context.getSelf().tell(Tick.CHECK_END);
      return;
    }
    if (spec.mode() == Mode.PROCESS) {
      // One part until the router tells what the workers can run (it answers at once).
      window = 1;
      // The window follows what the workers can hold: no point queueing parts in the router.
      timers.startTimerWithFixedDelay(
          Tick.REFRESH_WINDOW, Tick.REFRESH_WINDOW, settings.windowRefreshInterval());
      refreshWindow();
    }
    askForSlots();
  }

  /**
   * Takes the recorded part results back. The parts that run again are those dispatched before
   * and not recorded: at least every unrecorded part below the highest recorded one, as parts are
   * dispatched in order ({@code retried} counts these; parts in flight beyond it are not known).
   */
  private void resume(Resumed resumed, Map<Integer, String> recordedResults) {
    int highest = -1;
    for (Map.Entry<Integer, String> entry : recordedResults.entrySet()) {
      int part = entry.getKey();
      if (part < 0 || part >= results.length || recorded.get(part)) {
        continue;
      }
      JsonNode result = StoredJobs.parse(entry.getValue());
      Optional<JobView.PartError> tooMuch = resultAccount.add(part, result);
      if (tooMuch.isPresent()) {
        errors.add(tooMuch.get());
        return;
      }
      results[part] = result;
      recorded.set(part);
      done++;
      highest = Math.max(highest, part);
    }
    retried = resumed.retried() + (highest + 1 - recorded.cardinality());
    changed = true;
    if (resumed.cancelRequested()) {
      getContext().getSelf().tell(Cancel.INSTANCE);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SlotsGranted.class, granted -> onSlots(granted.slots()))
        .onMessage(OutcomeReceived.class, received -> onOutcomes(List.of(received.outcome())))
        .onMessage(OutcomesReceived.class, received -> onOutcomes(received.outcomes().all()))
        .onMessage(CapacityRead.class, this::onCapacity)
        .onMessageEquals(Tick.PUBLISH, this::onPublish)
        .onMessageEquals(Tick.REFRESH_WINDOW, () -> { refreshWindow(); return this; })
        .onMessageEquals(Tick.CHECK_END, this::onCheckEnd)
        .onMessageEquals(Cancel.INSTANCE, this::onCancel)
        .onMessageEquals(OwnershipLost.INSTANCE, this::onOwnershipLost)
        .onSignal(PostStop.class, signal -> onStopped())
        .build();
  }

  private Behavior<Command> onSlots(int granted) {
    for (int i = 0; i < granted; i++) {
      if (dispatching() && inFlight.size() < window) {
        dispatch();
      } else {
        slots.release(1);
      }
    }
    submit();
    return this;
  }

  /**
   * Takes answers in, then tops the window up once for all of them: the parts that refill it go
   * to the router in one message.
   */
  private Behavior<Command> onOutcomes(List<PartProtocol.PartOutcome> outcomes) {
    for (PartProtocol.PartOutcome outcome : outcomes) {
      if (!take(outcome)) {
        // The job has failed: its other parts would only cost, so they stop now.
        cancelInFlight();
        return finish(JobState.FAILED);
      }
    }
    if (inFlight.isEmpty() && !dispatching()) {
      return finish(JobState.SUCCEEDED);
    }
    askForSlots();
    return this;
  }

  /** Records one part's answer; false when it fails the job. A late or unknown answer is ignored. */
  private boolean take(PartProtocol.PartOutcome outcome) {
    Integer index = inFlight.remove(outcome.partId());
    if (index == null) {
      return true;
    }
    partClock.ended(outcome);
    slots.release(1);
    retried += Math.max(0, outcome.attempt() - 1);
    changed = true;
    if (outcome instanceof PartProtocol.PartSucceeded succeeded) {
      Optional<JobView.PartError> tooMuch = resultAccount.add(index, succeeded.result());
      if (tooMuch.isPresent()) {
        errors.add(tooMuch.get());
        return false;
      }
      results[index] = succeeded.result();
      done++;
      journal.ifPresent(
          to -> to.tell(new JobJournal.PartDone(id, index, succeeded.result(), done, failed, retried)));
      return true;
    }
    PartProtocol.PartFailed partFailed = (PartProtocol.PartFailed) outcome;
    failed++;
    errors.add(new JobView.PartError(index, partFailed.failure().code(), partFailed.message()));
    return false;
  }

  private Behavior<Command> onCapacity(CapacityRead read) {
    // Only the room of its lane: a CPU-bound part sent beyond it would wait in the router.
    int capacity = read.status().activeRoom(Lane.of(Mode.PROCESS, spec.task().task()));
    window = Math.max(1, Math.min(Math.min(settings.maxWindow(), results.length), capacity));
    askForSlots();
    return this;
  }

  private Behavior<Command> onPublish() {
    if (changed) {
      changed = false;
      manager.tell(new JobManager.JobProgressed(view(JobState.RUNNING, null, null)));
    }
    return this;
  }

  private Behavior<Command> onCheckEnd() {
    if (!errors.isEmpty()) {
      return finish(JobState.FAILED);
    }
    return inFlight.isEmpty() && !dispatching() ? finish(JobState.SUCCEEDED) : this;
  }

  /** Another gateway runs the job now: it ends here without a final state, which is theirs to write. */
  private Behavior<Command> onOwnershipLost() {
    getContext().getLog().info("Job {} is run by another gateway now; it stops here", id);
    cancelInFlight();
    slots.close();
    resultAccount.release();
    manager.tell(new JobManager.JobHandedOff(id));
    return Behaviors.stopped();
  }

  private Behavior<Command> onCancel() {
    cancelInFlight();
    return finish(JobState.CANCELLED);
  }

  /**
   * However the coordinator ends, also by a bug: its parts stop, its slots and memory go back. (After
   * {@link #finish} there is nothing left to do; the manager fails a job whose coordinator stopped
   * without finishing it.)
   */
  private Behavior<Command> onStopped() {
    cancelInFlight();
    slots.close();
    resultAccount.release(); // its share of the memory budget; idempotent
    return this;
  }

  private void cancelInFlight() {
    for (String partId : inFlight.keySet()) {
      router.tell(new Router.Cancel(partId));
    }
    slots.release(inFlight.size());
    inFlight.clear();
    partClock.cancelAll();
  }

  /** Whether parts remain to dispatch (a part that fails for good ends the job at once). */
  private boolean dispatching() {
    return next < results.length;
  }

  private void askForSlots() {
    int wanted = Math.max(0, Math.min(window - inFlight.size(), results.length - next));
    onSlots(slots.request(wanted));
  }

  private void skipRecorded() {
    while (next < results.length && recorded.get(next)) {
      next++;
    }
  }

  private void dispatch() {
    int index = next++;
    skipRecorded();
    String partId = id + "/" + index;
    inFlight.put(partId, index);
    partClock.started(partId);
    submitting.add(
        new Router.Submit(
            partId,
            spec.task().name(),
            spec.inputs().get(index),
            spec.mode(),
            settings.partTimeout().toMillis(),
            outcomeAdapter,
            // A part's time counts from its start: a long job's later parts may wait for a slot.
            true));
  }

  /**
   * Sends the parts dispatched since the last call: one message to the router for all of them (also
   * for one part, whose answer may then come gathered with others').
   */
  private void submit() {
    if (!submitting.isEmpty()) {
      router.tell(new Router.SubmitParts(submitting, outcomesAdapter));
      submitting.clear();
    }
  }

  private void refreshWindow() {
    getContext()
        .ask(
            Router.Status.class,
            router,
            settings.windowRefreshInterval(),
            Router.GetStatus::new,
            (status, error) -> status != null ? new CapacityRead(status) : Tick.PUBLISH);
  }

  private Behavior<Command> finish(JobState state) {
    slots.close();
    JsonNode result = null;
    if (state == JobState.SUCCEEDED) {
      try {
        // Kept as its text from now on: what retention holds is then small and exactly known.
        result = CompactResult.of(spec.merge() ? spec.task().merge(Arrays.asList(results)) : resultList());
        if (CompactResult.textBytes(result) > settings.maxResultSize()) {
          result = null;
          state = JobState.FAILED;
          errors.add(
              new JobView.PartError(
                  -1, "too_large",
                  "the merged result is over taskgrid.jobs.max-result-size (" + settings.maxResultSize()
                      + " bytes of JSON)"));
        }
      } catch (RuntimeException e) {
        state = JobState.FAILED;
        errors.add(new JobView.PartError(-1, "task_failed", "merging the parts failed: " + e.getMessage()));
      }
    }
    Arrays.fill(results, null);
    resultAccount.release();
    JobView last = view(state, result, Instant.now().toString());
    manager.tell(new JobManager.JobFinished(last));
    journal.ifPresent(to -> to.tell(new JobJournal.Finish(last)));
    return Behaviors.stopped();
  }

  private ArrayNode resultList() {
    ArrayNode list = JsonNodeFactory.instance.arrayNode(results.length);
    for (JsonNode result : results) {
      list.add(result);
    }
    return list;
  }

  private JobView view(JobState state, JsonNode result, String finishedAt) {
    return new JobView(
        id, spec.task().name(), spec.mode().wireName(), state, results.length, done, failed,
        retried, result, errors, createdAt, finishedAt);
  }
}
