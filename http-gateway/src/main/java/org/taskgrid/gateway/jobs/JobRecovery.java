package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.taskgrid.core.execution.Lane;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.Mode;
import org.taskgrid.gateway.jobs.store.JobEnd;
import org.taskgrid.gateway.jobs.store.StoredJob;

/**
 * Resumes the jobs of gateways that are gone. Once this gateway is Up, and every recovery
 * interval after, it asks the store for running jobs whose owner is not a live gateway of the
 * cluster ({@link GatewayOwners#live}), builds each again from its stored request ({@link
 * JobRequests}) and has the local {@link JobManager} resume it: the coordinator is admitted like a
 * new job, claims the job (one atomic update: of several gateways, one wins), and runs only the
 * parts with no recorded result.
 *
 * <p>Nothing is dropped: a job refused now (admission, memory budget), or a process job while no
 * worker is up yet (its parts would fail {@code no_workers}; after a restart workers take seconds
 * to join again), stays an orphan and comes back next interval. A job that can never be built here (its task unknown to this gateway, its
 * input refused) is claimed and ends {@code failed} with the reason; one whose cancel was asked
 * ends {@code cancelled}.
 */
public final class JobRecovery extends AbstractBehavior<JobRecovery.Command> {
  /** The most orphans taken up per round: the rest come next round. */
  private static final int ORPHANS_PER_ROUND = 100;
  /** The manager answers at once; its coordinator once the claim is written. */
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
  /** The router answers its status at once. */
  private static final Duration ROUTER_TIMEOUT = Duration.ofSeconds(5);

  /** What recovery is told. */
  public sealed interface Command {}

  private enum Tick implements Command {
    RECOVER
  }

  private record SelfIsUp(SelfUp up) implements Command {}

  private record OrphansRead(List<StoredJob> orphans) implements Command {}

  /** What the router says the executors can run now (null: it did not answer in time). */
  private record CapacityRead(Router.Status status) implements Command {}

  private record ReadFailed(Throwable error) implements Command {}

  private record Answered(String id, String previousOwner, JobManager.StartAnswer answer)
      implements Command {}

  private record Ended(String id, JobState state, boolean claimed, Throwable error)
      implements Command {}

  public static Behavior<Command> create(
      JobStorage storage,
      ActorRef<JobManager.Command> manager,
      ActorRef<Router.Command> router,
      JobRequests requests,
      Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new JobRecovery(context, timers, storage, manager, router, requests, interval)));
  }

  private final JobStorage storage;
  private final ActorRef<JobManager.Command> manager;
  private final ActorRef<Router.Command> router;
  private final JobRequests requests;
  /** The executors as the router saw them at the start of this round. */
  private Router.Status capacity;
  private final Cluster cluster;
  /** Jobs handed to the manager whose answer has not come yet: not asked twice. */
  private final Set<String> asked = new HashSet<>();
  private boolean reading;

  private JobRecovery(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      JobStorage storage,
      ActorRef<JobManager.Command> manager,
      ActorRef<Router.Command> router,
      JobRequests requests,
      Duration interval) {
    super(context);
    this.storage = storage;
    this.manager = manager;
    this.router = router;
    this.requests = requests;
    this.cluster = Cluster.get(context.getSystem());
    timers.startTimerWithFixedDelay(Tick.RECOVER, interval);
    // The first round as soon as this gateway is Up: then it sees the cluster's members.
    cluster.subscriptions()
        .tell(Subscribe.create(context.messageAdapter(SelfUp.class, SelfIsUp::new), SelfUp.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.RECOVER, this::onRecover)
        .onMessage(SelfIsUp.class, up -> onRecover())
        .onMessage(CapacityRead.class, this::onCapacity)
        .onMessage(OrphansRead.class, this::onOrphans)
        .onMessage(ReadFailed.class, this::onReadFailed)
        .onMessage(Answered.class, this::onAnswered)
        .onMessage(Ended.class, this::onEnded)
        .build();
  }

  /**
   * Only when Up: before, this gateway's view of the members may miss live gateways, whose jobs
   * it would take from them; Leaving or after, it should not take work on.
   */
  private Behavior<Command> onRecover() {
    if (reading || cluster.selfMember().status() != MemberStatus.up()) {
      return this;
    }
    reading = true;
    getContext().ask(
        Router.Status.class,
        router,
        ROUTER_TIMEOUT,
        Router.GetStatus::new,
        (status, error) -> new CapacityRead(status));
    return this;
  }

  /** Then the orphans: those whose owner is not a live gateway now. */
  private Behavior<Command> onCapacity(CapacityRead read) {
    capacity = read.status();
    ClusterEvent.CurrentClusterState state = cluster.state();
    Set<String> live = GatewayOwners.live(state);
    getContext().pipeToSelf(
        storage.store().call(
            store ->
                store.orphans(live, ORPHANS_PER_ROUND).stream()
                    .map(orphan -> store.find(orphan.jobId()))
                    .flatMap(Optional::stream)
                    .filter(job -> job.state() == JobState.RUNNING && !live.contains(job.owner()))
                    .toList()),
        (orphans, error) -> error == null ? new OrphansRead(orphans) : new ReadFailed(error));
    return this;
  }

  private Behavior<Command> onReadFailed(ReadFailed failed) {
    reading = false;
    getContext().getLog().warn("Looking for jobs to resume in the job store failed: {}", failed.error().toString());
    return this;
  }

  private Behavior<Command> onOrphans(OrphansRead read) {
    reading = false;
    for (StoredJob job : read.orphans()) {
      if (!asked.contains(job.id())) {
        resume(job);
      }
    }
    return this;
  }

  private void resume(StoredJob job) {
    if (job.cancelRequested()) {
      end(job, JobState.CANCELLED, null);
      return;
    }
    JobRequests.Rebuilt rebuilt;
    try {
      rebuilt = requests.rebuild(StoredJobs.parse(job.request()));
    } catch (RuntimeException e) {
      rebuilt = new JobRequests.Invalid("internal", "its stored request cannot be read: " + e.getMessage());
    }
    if (rebuilt instanceof JobRequests.Built built && !workersFor(built.spec())) {
      built.spec().charge().release();
      getContext().getLog().info("Job {} waits to be resumed: no worker is up for its process parts yet", job.id());
    } else if (rebuilt instanceof JobRequests.Built built) {
      asked.add(job.id());
      JobCoordinator.Resumed origin =
          new JobCoordinator.Resumed(job.owner(), job.createdAt().toString(), job.retried(), false);
      getContext().ask(
          JobManager.StartAnswer.class,
          manager,
          ASK_TIMEOUT,
          replyTo -> new JobManager.ResumeJob(job.id(), built.spec(), origin, replyTo),
          (answer, error) ->
              new Answered(
                  job.id(), job.owner(),
                  answer != null ? answer : new JobManager.NotStored(String.valueOf(error))));
    } else if (rebuilt instanceof JobRequests.NotNow notNow) {
      getContext().getLog().info("Job {} waits to be resumed: {}", job.id(), notNow.why());
    } else {
      JobRequests.Invalid invalid = (JobRequests.Invalid) rebuilt;
      end(
          job, JobState.FAILED,
          new JobView.PartError(
              -1, invalid.code(),
              "the job could not be resumed on gateway " + storage.owner() + " after its gateway "
                  + job.owner() + " was lost: " + invalid.message()));
    }
  }

  /** Whether the job's parts can run: thread and async ones here, process ones on a worker that is up. */
  private boolean workersFor(JobSpec spec) {
    return spec.mode() != Mode.PROCESS
        || (capacity != null && capacity.activeRoom(Lane.of(Mode.PROCESS, spec.task().task())) > 0);
  }

  /** Claims the job and writes its end: only one gateway does, whoever claims it first. */
  private void end(StoredJob job, JobState state, JobView.PartError error) {
    asked.add(job.id());
    JobEnd end = StoredJobs.end(job, state, error == null ? List.of() : List.of(error));
    String owner = storage.owner();
    getContext().pipeToSelf(
        storage.store().call(
            store ->
                store.claim(job.id(), job.owner(), owner)
                    && store.finish(job.id(), owner, end)),
        (claimed, failure) -> new Ended(job.id(), state, Boolean.TRUE.equals(claimed), failure));
  }

  private Behavior<Command> onEnded(Ended ended) {
    asked.remove(ended.id());
    if (ended.error() != null) {
      getContext().getLog().warn("Ending job {} as {} failed: {}", ended.id(), ended.state().wireName(), ended.error().toString());
    } else if (ended.claimed()) {
      getContext().getLog().warn("Job {} of a lost gateway ended {} here", ended.id(), ended.state().wireName());
    }
    return this;
  }

  private Behavior<Command> onAnswered(Answered answered) {
    asked.remove(answered.id());
    JobManager.StartAnswer answer = answered.answer();
    if (answer instanceof JobManager.Running) {
      getContext().getLog().info("Resumed job {} of lost gateway {}", answered.id(), answered.previousOwner());
    } else if (answer == JobManager.Overloaded.INSTANCE) {
      getContext().getLog().info("Job {} waits to be resumed: admission control is full", answered.id());
    } else if (answer instanceof JobManager.NotStored notStored) {
      getContext().getLog().warn("Resuming job {} failed: {}", answered.id(), notStored.why());
    }
    return this;
  }
}
