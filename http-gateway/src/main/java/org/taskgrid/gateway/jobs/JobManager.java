package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
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
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

  /** Start a job; answers its id, or empty when admission control refuses it (the job's coordinator answers). */
  public record StartJob(JobSpec spec, ActorRef<Optional<String>> replyTo) implements Command {}

  public record GetJob(String id, ActorRef<Optional<JobView>> replyTo) implements Command {}

  /**
   * The newest jobs first.
   *
   * @param state only jobs in this state, or null for all
   */
  public record ListJobs(JobState state, int limit, ActorRef<List<JobView>> replyTo)
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
      JobView view, ActorRef<JobCoordinator.Command> coordinator, Admission.JobSlots slots)
      implements Command {}

  /** From a coordinator: its job made progress. */
  public record JobProgressed(JobView view) implements Command {}

  /** From a coordinator: its job ended. */
  public record JobFinished(JobView view) implements Command {}

  private record FollowerStopped(String id, ActorRef<JobView> follower) implements Command {}

  private record CoordinatorStopped(String id) implements Command {}

  private enum Prune implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(
      ActorRef<Router.Command> router, AdmissionControl admission, JobSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new JobManager(context, timers, router, admission, settings)));
  }

  private final ActorRef<Router.Command> router;
  private final AdmissionControl admission;
  private final JobSettings settings;
  /** Every job known, in the order they were created. */
  private final Map<String, JobView> views = new LinkedHashMap<>();
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
      ActorRef<Router.Command> router,
      AdmissionControl admission,
      JobSettings settings) {
    super(context);
    this.router = router;
    this.admission = admission;
    this.settings = settings;
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
        .onMessage(GetJob.class, get -> reply(get.replyTo(), Optional.ofNullable(views.get(get.id()))))
        .onMessage(ListJobs.class, this::onList)
        .onMessage(CancelJob.class, this::onCancel)
        .onMessage(FollowJob.class, this::onFollow)
        .onMessage(JobAccepted.class, this::onAccepted)
        .onMessage(JobProgressed.class, progressed -> onView(progressed.view()))
        .onMessage(JobFinished.class, this::onFinished)
        .onMessage(FollowerStopped.class, this::onFollowerStopped)
        .onMessage(CoordinatorStopped.class, this::onCoordinatorStopped)
        .onSignal(PreRestart.class, signal -> failRunning("the gateway's job manager restarted after a bug"))
        .onSignal(PostStop.class, signal -> failRunning("the gateway stopped"))
        .onMessageEquals(Prune.INSTANCE, this::onPrune)
        .build();
  }

  private Behavior<Command> onStart(StartJob start) {
    String id = UUID.randomUUID().toString();
    getContext()
        .spawn(
            JobCoordinator.create(
                id, start.spec(), start.replyTo(), router, admission, getContext().getSelf(), settings),
            "job-" + id);
    return this;
  }

  private Behavior<Command> onAccepted(JobAccepted accepted) {
    // Told before the caller hears the id, so that the job is known by the time it asks.
    running.put(accepted.view().id(), accepted.coordinator());
    metrics.running(running.size());
    slotsOfRunning.put(accepted.view().id(), accepted.slots());
    views.put(accepted.view().id(), accepted.view());
    // Its JobFinished comes before this, from a coordinator that ends normally.
    getContext().watchWith(accepted.coordinator(), new CoordinatorStopped(accepted.view().id()));
    return this;
  }

  /** A coordinator stopped without finishing its job (a bug): the job fails, its slots go back. */
  private Behavior<Command> onCoordinatorStopped(CoordinatorStopped stopped) {
    if (running.containsKey(stopped.id())) {
      getContext().getLog().error("The coordinator of job {} stopped before the job ended", stopped.id());
      slotsOfRunning.get(stopped.id()).close();
      JobView last = views.get(stopped.id());
      onFinished(
          new JobFinished(
              last.failedWith(
                  "internal", "the job's coordinator stopped after a bug; see the gateway's log",
                  Instant.now().toString())));
    }
    return this;
  }

  /**
   * This incarnation ends (a bug restarts the manager, or the gateway stops): its coordinators are
   * stopped with it (and give their slots back), so their jobs fail, and followers hear so.
   */
  private Behavior<Command> failRunning(String why) {
    String now = Instant.now().toString();
    for (String id : List.copyOf(running.keySet())) {
      slotsOfRunning.get(id).close();
      JobView view = views.get(id).failedWith("internal", why, now);
      followers.getOrDefault(id, Set.of()).forEach(follower -> follower.tell(view));
    }
    return this;
  }

  private Behavior<Command> onList(ListJobs list) {
    List<JobView> all = new ArrayList<>(views.values());
    List<JobView> newestFirst = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0 && newestFirst.size() < list.limit(); i--) {
      JobView view = all.get(i);
      if (list.state() == null || view.state() == list.state()) {
        newestFirst.add(view.summary());
      }
    }
    list.replyTo().tell(newestFirst);
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
    return this;
  }

  private <T> Behavior<Command> reply(ActorRef<T> replyTo, T answer) {
    replyTo.tell(answer);
    return this;
  }
}
