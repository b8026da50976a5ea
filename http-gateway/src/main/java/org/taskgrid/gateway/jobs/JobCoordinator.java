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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.metrics.PartClock;
import org.taskgrid.core.metrics.PartMetrics;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.Mode;
import org.taskgrid.gateway.admission.Admission;
import org.taskgrid.gateway.admission.AdmissionControl;

/**
 * Runs one job: asks admission control to admit it (and answers the caller of {@link
 * JobManager.StartJob} either way), dispatches its parts through the router within a bounded
 * window (the slots that admission control grants it, at most what the workers can run), gathers
 * their results, and merges them or keeps them in input order. At the first part that fails for
 * good (the job fails) or when cancelled, it cancels the parts in flight and ends. It reports to
 * the {@link JobManager} that it was accepted, its progress at most once per progress interval,
 * and its final state once.
 */
public final class JobCoordinator extends AbstractBehavior<JobCoordinator.Command> {

  /** What a coordinator is told. */
  public sealed interface Command {}

  /** Stop the job: no part starts any more, running parts are cancelled. */
  public enum Cancel implements Command {
    INSTANCE
  }

  private record SlotsGranted(int slots) implements Command {}

  private record OutcomeReceived(PartProtocol.PartOutcome outcome) implements Command {}

  private record CapacityRead(Router.Status status) implements Command {}

  private enum Tick implements Command {
    PUBLISH,
    REFRESH_WINDOW
  }

  /**
   * A job that admission control may refuse: then it answers {@code replyTo} empty and stops at
   * once; otherwise it tells the manager it was accepted, then answers its id.
   */
  public static Behavior<Command> create(
      String id,
      JobSpec spec,
      ActorRef<Optional<String>> replyTo,
      ActorRef<Router.Command> router,
      AdmissionControl admission,
      ActorRef<JobManager.Command> manager,
      JobSettings settings) {
    return Behaviors.setup(
        context -> {
          ActorRef<Command> self = context.getSelf();
          Optional<Admission.JobSlots> slots =
              admission.of(spec.mode()).admitJob(granted -> self.tell(new SlotsGranted(granted)));
          if (slots.isEmpty()) {
            spec.charge().release();
            replyTo.tell(Optional.empty());
            return Behaviors.stopped();
          }
          String createdAt = Instant.now().toString();
          manager.tell(new JobManager.JobAccepted(JobView.accepted(id, spec, createdAt), self, slots.get()));
          replyTo.tell(Optional.of(id));
          return Behaviors.withTimers(
              timers ->
                  new JobCoordinator(
                      context, timers, id, createdAt, spec, router, slots.get(), manager, settings));
        });
  }

  private final String id;
  private final JobSpec spec;
  private final ActorRef<Router.Command> router;
  private final Admission.JobSlots slots;
  private final ActorRef<JobManager.Command> manager;
  private final JobSettings settings;
  private final ActorRef<PartProtocol.PartOutcome> outcomeAdapter;
  private final String createdAt;
  private final JsonNode[] results;
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
      ActorRef<Router.Command> router,
      Admission.JobSlots slots,
      ActorRef<JobManager.Command> manager,
      JobSettings settings) {
    super(context);
    this.id = id;
    this.createdAt = createdAt;
    this.spec = spec;
    this.router = router;
    this.slots = slots;
    this.manager = manager;
    this.settings = settings;
    this.results = new JsonNode[spec.inputs().size()];
    this.resultAccount = new ResultAccount(results.length, spec.charge(), settings);
    this.partClock = new PartClock(PartMetrics.of(context.getSystem()), spec.task().name(), spec.mode());
    this.outcomeAdapter = context.messageAdapter(PartProtocol.PartOutcome.class, OutcomeReceived::new);
    this.window = Math.min(settings.maxWindow(), results.length);
    timers.startTimerWithFixedDelay(Tick.PUBLISH, Tick.PUBLISH, settings.progressInterval());
    if (spec.mode() == Mode.PROCESS) {
      // One part until the router tells what the workers can run (it answers at once).
      window = 1;
      // The window follows what the workers can run: no point queueing parts in the router.
      timers.startTimerWithFixedDelay(
          Tick.REFRESH_WINDOW, Tick.REFRESH_WINDOW, settings.windowRefreshInterval());
      refreshWindow();
    }
    askForSlots();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SlotsGranted.class, granted -> onSlots(granted.slots()))
        .onMessage(OutcomeReceived.class, this::onOutcome)
        .onMessage(CapacityRead.class, this::onCapacity)
        .onMessageEquals(Tick.PUBLISH, this::onPublish)
        .onMessageEquals(Tick.REFRESH_WINDOW, () -> { refreshWindow(); return this; })
        .onMessageEquals(Cancel.INSTANCE, this::onCancel)
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
    return this;
  }

  private Behavior<Command> onOutcome(OutcomeReceived received) {
    PartProtocol.PartOutcome outcome = received.outcome();
    Integer index = inFlight.remove(outcome.partId());
    if (index != null) {
      partClock.ended(outcome);
    }
    if (index == null) {
      return this;
    }
    slots.release(1);
    retried += Math.max(0, outcome.attempt() - 1);
    changed = true;
    if (outcome instanceof PartProtocol.PartSucceeded succeeded) {
      Optional<JobView.PartError> tooMuch = resultAccount.add(index, succeeded.result());
      if (tooMuch.isPresent()) {
        errors.add(tooMuch.get());
        cancelInFlight();
        return finish(JobState.FAILED);
      }
      results[index] = succeeded.result();
      done++;
    } else {
      PartProtocol.PartFailed partFailed = (PartProtocol.PartFailed) outcome;
      failed++;
      errors.add(new JobView.PartError(index, partFailed.failure().code(), partFailed.message()));
      // The job has failed: its other parts would only cost, so they stop now.
      cancelInFlight();
      return finish(JobState.FAILED);
    }
    if (inFlight.isEmpty() && !dispatching()) {
      return finish(JobState.SUCCEEDED);
    }
    askForSlots();
    return this;
  }

  private Behavior<Command> onCapacity(CapacityRead read) {
    // Only the slots of its lane: a CPU-bound part sent beyond them would wait in a queue there.
    int capacity = read.status().activeCapacity(Lane.of(Mode.PROCESS, spec.task().task()));
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

  private void dispatch() {
    int index = next++;
    String partId = id + "/" + index;
    inFlight.put(partId, index);
    partClock.started(partId);
    router.tell(
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
    manager.tell(new JobManager.JobFinished(view(state, result, Instant.now().toString())));
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
