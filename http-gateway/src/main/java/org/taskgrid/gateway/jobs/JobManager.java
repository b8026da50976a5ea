package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import com.fasterxml.jackson.databind.JsonNode;
import org.taskgrid.gateway.admission.MemoryBudget;
import org.taskgrid.core.routing.Router;
import org.taskgrid.gateway.admission.Admission;
import org.taskgrid.gateway.admission.AdmissionControl;

/**
 * The jobs of this gateway: starts a {@link JobCoordinator} per job, keeps the latest view of each
 * for queries and followers (the event streams), and forgets finished jobs after the retention
 * time or beyond the retained count, oldest first, so memory stays bounded.
 */
public final class JobManager extends AbstractBehavior<JobManager.Command> {

  /** What the manager is told. */
  public sealed interface Command {}

  /**
   * Start a job; answers {@link Running} with its id, {@link Overloaded} when admission control
   * refuses it, {@link NotStored} when the job store would not take it (the job's coordinator
   * answers).
   *
   * @param request the job's validated body, which the store keeps to build the job again
   */
  public record StartJob(JobSpec spec, JsonNode request, ActorRef<StartAnswer> replyTo)
      implements Command {}

  /**
   * Resume a job of a gateway that is gone ({@link JobRecovery}): as {@link StartJob}, after
   * claiming it in the store; answers {@link ClaimedElsewhere} when another coordinator, here or on
   * another gateway, has it already.
   */
  public record ResumeJob(
      String id, JobSpec spec, JobCoordinator.Resumed origin, ActorRef<StartAnswer> replyTo)
      implements Command {}

  /** How a start or resume went. */
  public sealed interface StartAnswer {}

  /** The job runs here. */
  public record Running(String id) implements StartAnswer {}

  /** Admission control refused it: try again later. */
  public enum Overloaded implements StartAnswer {
    INSTANCE
  }

  /** The job store did not take the job (it runs nowhere). */
  public record NotStored(String why) implements StartAnswer {}

  /** Another coordinator has this job already. */
  public enum ClaimedElsewhere implements StartAnswer {
    INSTANCE
  }

  public record GetJob(String id, ActorRef<Optional<JobView>> replyTo) implements Command {}

  /**
   * The newest jobs first: this gateway's own, merged with those the store listed (every
   * gateway's), where this gateway's view wins because the store may not have caught up with it.
   *
   * @param state only jobs in this state, or null for all
   * @param stored the store's listing for the same state and limit; empty without a store
   */
  public record ListJobs(
      JobState state, int limit, List<JobView> stored, ActorRef<List<JobView>> replyTo)
      implements Command {}

  /** Cancel a running job; answers its view (unchanged when it had finished), empty if unknown. */
  public record CancelJob(String id, ActorRef<Optional<JobView>> replyTo) implements Command {}

  /**
   * Send the job's view to {@code follower} now and at each change, the finished view last; a
   * follower of a finished job gets that at once. Answers whether it is followed.
   */
  public record FollowJob(String id, ActorRef<JobView> follower, ActorRef<FollowAnswer> replyTo)
      implements Command {}

  /** Whether a {@link FollowJob} is followed. */
  public enum FollowAnswer {
    FOLLOWING,
    UNKNOWN,
    /** The job, or the gateway, has as many followers as it serves. */
    TOO_MANY
  }

  /**
   * From a coordinator: admission control admitted its job, which runs from now on, with these
   * slots (given back here should the coordinator stop without finishing the job).
   */
  public record JobAccepted(
      JobView view,
      ActorRef<JobCoordinator.Command> coordinator,
      Admission.JobSlots slots,
      MemoryBudget.Charge charge)
      implements Command {}

  /**
   * What the followers of a job hear when another gateway takes it over: nothing more comes from
   * here (their stream goes on from the store). Told by identity, never shown.
   */
  public static final JobView HANDED_OFF =
      new JobView("", "", "", JobState.RUNNING, 0, 0, 0, 0, null, List.of(), "", null);

  /** From a coordinator: another gateway claimed its job, which this one forgets (the store has it). */
  public record JobHandedOff(String id) implements Command {}

  /** From a coordinator: its job made progress. */
  public record JobProgressed(JobView view) implements Command {}

  /** From a coordinator: its job ended. */
  public record JobFinished(JobView view) implements Command {}

  private record FollowerStopped(String id, ActorRef<JobView> follower) implements Command {}

  private record CoordinatorStopped(String id) implements Command {}

  private enum Prune implements Command {
    INSTANCE
  }

  /** Jobs in memory only. */
  public static Behavior<Command> create(
      ActorRef<Router.Command> router, AdmissionControl admission, JobSettings settings) {
    return create(router, admission, settings, Optional.empty());
  }

  /** Jobs written to the job store as well when {@code storage} is given. */
  public static Behavior<Command> create(
      ActorRef<Router.Command> router,
      AdmissionControl admission,
      JobSettings settings,
      Optional<JobStorage> storage) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new JobManager(
                        context, timers,
                        new JobEnvironment(router, admission, context.getSelf(), settings, storage))));
  }

  private final JobEnvironment environment;
  private final JobSettings settings;
  private final Optional<JobStorage> storage;
  /** Every coordinator, from its spawn to its end: a job is never run twice here. */
  private final Map<String, ActorRef<JobCoordinator.Command>> coordinators = new HashMap<>();
  private final Map<String, MemoryBudget.Charge> chargeOfRunning = new HashMap<>();
  /** Every job known, in the order they were created. */
  private final Map<String, JobView> views = new LinkedHashMap<>();

  /** The store's order: creation time, then id, both descending. */
  private static final Comparator<JobView> NEWEST_FIRST =
      Comparator.comparing((JobView view) -> Instant.parse(view.createdAt()))
          .thenComparing(JobView::id)
          .reversed();
  private final Map<String, ActorRef<JobCoordinator.Command>> running = new HashMap<>();
  private final Map<String, Admission.JobSlots> slotsOfRunning = new HashMap<>();
  private final Map<String, Set<ActorRef<JobView>>> followers = new HashMap<>();
  /** Finished jobs, in the order they finished, with when and what their result holds. */
  private final Deque<Retained> finished = new ArrayDeque<>();
  /** The bytes of the results of finished jobs, bounded by max-retained-size. */
  private long retainedBytes;
  private int followerCount;
  private final JobMetrics metrics;

  private record Retained(String id, Instant at, long bytes) {}

  private JobManager(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      JobEnvironment environment) {
    super(context);
    this.environment = environment;
    this.settings = environment.settings();
    this.storage = environment.storage();
    this.metrics = JobMetrics.of(context.getSystem());
    metrics.running(0);
    Duration interval =
        settings.retention().compareTo(settings.pruneInterval()) < 0
            ? settings.retention()
            : settings.pruneInterval();
    timers.startTimerWithFixedDelay(Prune.INSTANCE, interval);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StartJob.class, this::onStart)
        .onMessage(ResumeJob.class, this::onResume)
        .onMessage(JobHandedOff.class, this::onHandedOff)
        .onMessage(GetJob.class, get -> reply(get.replyTo(), Optional.ofNullable(views.get(get.id()))))
        .onMessage(ListJobs.class, this::onList)
        .onMessage(CancelJob.class, this::onCancel)
        .onMessage(FollowJob.class, this::onFollow)
        .onMessage(JobAccepted.class, this::onAccepted)
        .onMessage(JobProgressed.class, progressed -> onView(progressed.view()))
        .onMessage(JobFinished.class, this::onFinished)
        .onMessage(FollowerStopped.class, this::onFollowerStopped)
        .onMessage(CoordinatorStopped.class, this::onCoordinatorStopped)
        .onSignal(PreRestart.class, signal -> failRunning("the gateway's job manager restarted after a bug", true))
        .onSignal(PostStop.class, signal -> failRunning("the gateway stopped", false))
        .onMessageEquals(Prune.INSTANCE, this::onPrune)
        .build();
  }

  private Behavior<Command> onStart(StartJob start) {
    String id = UUID.randomUUID().toString();
    spawnCoordinator(id, start.spec(), new JobCoordinator.Posted(start.request()), start.replyTo());
    return this;
  }

  private Behavior<Command> onResume(ResumeJob resume) {
    if (coordinators.containsKey(resume.id())) {
      resume.spec().charge().release();
      resume.replyTo().tell(ClaimedElsewhere.INSTANCE);
      return this;
    }
    spawnCoordinator(resume.id(), resume.spec(), resume.origin(), resume.replyTo());
    return this;
  }

  /** Watched from its start: whatever happens to it, what its job holds goes back. */
  private void spawnCoordinator(
      String id, JobSpec spec, JobCoordinator.Origin origin, ActorRef<StartAnswer> replyTo) {
    ActorRef<JobCoordinator.Command> coordinator =
        getContext().spawn(JobCoordinator.create(id, spec, origin, replyTo, environment), "job-" + id);
    coordinators.put(id, coordinator);
    // Its JobFinished comes before this, from a coordinator that ends normally.
    getContext().watchWith(coordinator, new CoordinatorStopped(id));
  }

  private Behavior<Command> onAccepted(JobAccepted accepted) {
    // Told before the caller hears the id, so that the job is known by the time it asks.
    String id = accepted.view().id();
    running.put(id, accepted.coordinator());
    metrics.running(running.size());
    slotsOfRunning.put(id, accepted.slots());
    chargeOfRunning.put(id, accepted.charge());
    views.put(id, accepted.view());
    return this;
  }

  /**
   * A coordinator stopped. Normally after its job ended, or before it was accepted (refused, not
   * stored). Otherwise (a bug, also in its constructor): the job fails, its slots and memory go back.
   */
  private Behavior<Command> onCoordinatorStopped(CoordinatorStopped stopped) {
    coordinators.remove(stopped.id());
    if (running.containsKey(stopped.id())) {
      getContext().getLog().error("The coordinator of job {} stopped before the job ended", stopped.id());
      slotsOfRunning.get(stopped.id()).close();
      chargeOfRunning.get(stopped.id()).release();
      JobView last = views.get(stopped.id());
      JobView failed =
          last.failedWith(
              "internal", "the job's coordinator stopped after a bug; see the gateway's log",
              Instant.now().toString());
      storage.ifPresent(store -> store.journal().tell(new JobJournal.Finish(failed)));
      onFinished(new JobFinished(failed));
    }
    return this;
  }

  /** Another gateway runs the job: it is theirs to show, from the store. */
  private Behavior<Command> onHandedOff(JobHandedOff handedOff) {
    String id = handedOff.id();
    running.remove(id);
    metrics.running(running.size());
    slotsOfRunning.remove(id);
    chargeOfRunning.remove(id);
    views.remove(id);
    Set<ActorRef<JobView>> gone = followers.remove(id);
    if (gone != null) {
      gone.forEach(
          follower -> {
            getContext().unwatch(follower);
            follower.tell(HANDED_OFF);
          });
      followerCount -= gone.size();
    }
    return this;
  }

  /**
   * This incarnation ends (a bug restarts the manager, or the gateway stops): its coordinators are
   * stopped with it (and give their slots back), so their jobs fail, and followers hear so.
   */
  private Behavior<Command> failRunning(String why, boolean failInStore) {
    String now = Instant.now().toString();
    for (String id : List.copyOf(running.keySet())) {
      slotsOfRunning.get(id).close();
      chargeOfRunning.get(id).release();
      if (storage.isPresent() && !failInStore) {
        // The store keeps the job running: a gateway resumes it (another, or this one started again).
        continue;
      }
      JobView view = views.get(id).failedWith("internal", why, now);
      storage.ifPresent(store -> store.journal().tell(new JobJournal.Finish(view)));
      followers.getOrDefault(id, Set.of()).forEach(follower -> follower.tell(view));
    }
    return this;
  }

  private Behavior<Command> onList(ListJobs list) {
    Map<String, JobView> merged = new HashMap<>();
    for (JobView stored : list.stored()) {
      JobView here = views.get(stored.id());
      JobView freshest = here == null ? stored : here.summary();
      if (list.state() == null || freshest.state() == list.state()) {
        merged.put(freshest.id(), freshest);
      }
    }
    List<JobView> all = new ArrayList<>(views.values());
    int added = 0;
    for (int i = all.size() - 1; i >= 0 && added < list.limit(); i--) {
      JobView view = all.get(i);
      if (list.state() == null || view.state() == list.state()) {
        merged.putIfAbsent(view.id(), view.summary());
        added++;
      }
    }
    list.replyTo().tell(
        merged.values().stream().sorted(NEWEST_FIRST).limit(list.limit()).toList());
    return this;
  }

  private Behavior<Command> onCancel(CancelJob cancel) {
    ActorRef<JobCoordinator.Command> coordinator = running.get(cancel.id());
    if (coordinator != null) {
      coordinator.tell(JobCoordinator.Cancel.INSTANCE);
    }
    cancel.replyTo().tell(Optional.ofNullable(views.get(cancel.id())));
    return this;
  }

  private Behavior<Command> onFollow(FollowJob follow) {
    JobView view = views.get(follow.id());
    if (view == null) {
      return reply(follow.replyTo(), FollowAnswer.UNKNOWN);
    }
    if (!view.finished()) {
      Set<ActorRef<JobView>> ofJob = followers.computeIfAbsent(follow.id(), id -> new HashSet<>());
      if (ofJob.size() >= settings.maxFollowersPerJob() || followerCount >= settings.maxFollowers()) {
        if (ofJob.isEmpty()) {
          followers.remove(follow.id());
        }
        return reply(follow.replyTo(), FollowAnswer.TOO_MANY);
      }
      if (ofJob.add(follow.follower())) {
        followerCount++;
      }
      getContext().watchWith(follow.follower(), new FollowerStopped(follow.id(), follow.follower()));
    }
    follow.follower().tell(view);
    return reply(follow.replyTo(), FollowAnswer.FOLLOWING);
  }

  private Behavior<Command> onView(JobView view) {
    if (views.containsKey(view.id())) {
      views.put(view.id(), view);
      followers.getOrDefault(view.id(), Set.of()).forEach(follower -> follower.tell(view));
    }
    return this;
  }

  private Behavior<Command> onFinished(JobFinished finishedJob) {
    JobView view = finishedJob.view();
    running.remove(view.id());
    metrics.running(running.size());
    metrics.finished(view.state());
    slotsOfRunning.remove(view.id());
    chargeOfRunning.remove(view.id());
    onView(view);
    Set<ActorRef<JobView>> gone = followers.remove(view.id());
    if (gone != null) {
      gone.forEach(follower -> getContext().unwatch(follower));
      followerCount -= gone.size();
    }
    long bytes = CompactResult.heapBytes(view.result());
    finished.add(new Retained(view.id(), Instant.now(), bytes));
    retainedBytes += bytes;
    while (finished.size() > settings.maxRetained() || retainedBytes > settings.maxRetainedSize()) {
      forgetOldest();
    }
    return this;
  }

  private void forgetOldest() {
    Retained oldest = finished.poll();
    views.remove(oldest.id());
    retainedBytes -= oldest.bytes();
  }

  private Behavior<Command> onFollowerStopped(FollowerStopped stopped) {
    Set<ActorRef<JobView>> set = followers.get(stopped.id());
    if (set != null && set.remove(stopped.follower())) {
      followerCount--;
      if (set.isEmpty()) {
        followers.remove(stopped.id());
      }
    }
    return this;
  }

  private Behavior<Command> onPrune() {
    Instant oldest = Instant.now().minus(settings.retention());
    while (!finished.isEmpty() && finished.peek().at().isBefore(oldest)) {
      forgetOldest();
    }
    ActorSystem<Void> system = getContext().getSystem();
    storage.ifPresent(
        store ->
            store.store()
                .call(
                    jobStore -> jobStore.prune(oldest, settings.maxRetained(), settings.maxRetainedSize()))
                .whenCompleteAsync(
                    (pruned, error) -> {
                      if (error != null) {
                        system.log().warn("Pruning the job store failed: {}", error.toString());
                      }
                    },
                    store.store().executor()));
    return this;
  }

  private <T> Behavior<Command> reply(ActorRef<T> replyTo, T answer) {
    replyTo.tell(answer);
    return this;
  }
}
