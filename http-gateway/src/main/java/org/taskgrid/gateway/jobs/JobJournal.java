package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.taskgrid.gateway.jobs.store.FlushAnswer;
import org.taskgrid.gateway.jobs.store.JobEnd;
import org.taskgrid.gateway.jobs.store.JobProgress;
import org.taskgrid.gateway.jobs.store.JobStore;

/**
 * Writes what the jobs of this gateway do into the job store, in batches: the part results and
 * counters of every job, gathered for a flush interval (or until a batch has max parts), go in one
 * {@link JobStore#record} call, so a job of 100 000 parts costs a few hundred round trips, not
 * 100 000. One flush is in flight at a time, on the store's dispatcher; what comes meanwhile waits
 * for the next. A failed flush keeps its batch for the next one (recording is idempotent).
 *
 * <p>A job's final state goes in a flush of its own and replaces the part results still pending
 * (the store keeps no part results of a finished job); then retention prunes the store (by age,
 * count and bytes) as the manager prunes its memory, at most once per check interval: pruning
 * reads every finished job, too much to do for each of hundreds of short jobs a second. What the store
 * answers goes back to each coordinator: the job is owned by another gateway now (it stops
 * quietly) or a cancel was asked on another gateway (it cancels). So that a cancel is heard while
 * no part ends, every running job is in a flush at least once per check interval.
 */
public final class JobJournal extends AbstractBehavior<JobJournal.Command> {

  /** What the journal is told. */
  public sealed interface Command {}

  /** A coordinator runs this job here from now on. */
  public record Track(String id, ActorRef<JobCoordinator.Command> coordinator) implements Command {}

  /** A part ended with this result; the job's counters are now these. */
  public record PartDone(String id, int part, JsonNode result, int done, int failed, int retried)
      implements Command {}

  /** The job ended: its final view, written after its last part results. */
  public record Finish(JobView view) implements Command {}

  /** Write what is pending now (on shutdown); answers once that flush is done or failed. */
  public record FlushNow(ActorRef<Done> replyTo) implements Command {}

  /** The answer to {@link FlushNow}. */
  public enum Done {
    INSTANCE
  }

  private record Flushed(Batch batch, List<FlushAnswer> answers) implements Command {}

  private record FlushFailed(Batch batch, Throwable error) implements Command {}

  private record CoordinatorStopped(String id) implements Command {}

  private enum Tick implements Command {
    FLUSH,
    CHECK_ALL
  }

  /**
   * How the journal batches.
   *
   * @param flushInterval how long results gather before they are written
   * @param maxParts the most part results in one flush; more start the next flush at once
   * @param checkInterval how often every running job is in a flush, to hear of cancels and claims
   * @param retention how long finished jobs are kept, at most how many, and their results' bytes:
   *     a flush that ends jobs prunes the store by these as the manager prunes its memory
   */
  public record Settings(
      Duration flushInterval,
      int maxParts,
      Duration checkInterval,
      Duration retention,
      int maxRetained,
      long maxRetainedBytes) {

    /** The journal of a gateway with these job and store settings. */
    public static Settings of(JobSettings jobs, Duration flushInterval, int maxParts, Duration checkInterval) {
      return new Settings(
          flushInterval, maxParts, checkInterval, jobs.retention(), jobs.maxRetained(), jobs.maxRetainedSize());
    }
  }

  /** What one job has that the store does not have yet. */
  private static final class Pending {
    ActorRef<JobCoordinator.Command> coordinator;
    Map<Integer, JsonNode> parts = new LinkedHashMap<>();
    int done;
    int failed;
    int retried;
    boolean changed;
    JobView finish;
  }

  /** One job's share of a flush. */
  private record Entry(String id, Map<Integer, JsonNode> parts, int done, int failed, int retried) {}

  /** What one flush writes, and whether it prunes the finished jobs after. */
  private record Batch(List<Entry> entries, List<JobView> finishes, boolean prune) {
    boolean writesNothing() {
      return entries.isEmpty() && finishes.isEmpty() && !prune;
    }
  }

  public static Behavior<Command> create(AsyncJobStore store, String owner, Settings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(timers -> new JobJournal(context, timers, store, owner, settings)));
  }

  private final AsyncJobStore store;
  private final String owner;
  private final Settings settings;
  private final JobMetrics metrics;
  private final Map<String, Pending> jobs = new HashMap<>();
  private final List<ActorRef<Done>> waitingForFlush = new ArrayList<>();
  private int pendingParts;
  private boolean flushing;
  private boolean checkAll;
  private boolean pruneDue;
  private long lastPruneNanos;
  private int failuresInARow;

  private JobJournal(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      AsyncJobStore store,
      String owner,
      Settings settings) {
    super(context);
    this.store = store;
    this.owner = owner;
    this.settings = settings;
    this.metrics = JobMetrics.of(context.getSystem());
    this.lastPruneNanos = System.nanoTime() - settings.checkInterval().toNanos();
    timers.startTimerWithFixedDelay(Tick.FLUSH, settings.flushInterval());
    timers.startTimerWithFixedDelay(Tick.CHECK_ALL, settings.checkInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Track.class, this::onTrack)
        .onMessage(PartDone.class, this::onPartDone)
        .onMessage(Finish.class, this::onFinish)
        .onMessage(FlushNow.class, this::onFlushNow)
        .onMessage(Flushed.class, this::onFlushed)
        .onMessage(FlushFailed.class, this::onFlushFailed)
        .onMessage(CoordinatorStopped.class, this::onCoordinatorStopped)
        .onMessageEquals(Tick.FLUSH, this::flush)
        .onMessageEquals(Tick.CHECK_ALL, () -> { checkAll = true; return flush(); })
        .build();
  }

  private Behavior<Command> onTrack(Track track) {
    pending(track.id()).coordinator = track.coordinator();
    getContext().watchWith(track.coordinator(), new CoordinatorStopped(track.id()));
    return this;
  }

  private Behavior<Command> onPartDone(PartDone part) {
    Pending job = pending(part.id());
    if (job.parts.put(part.part(), part.result()) == null) {
      pendingParts++;
    }
    job.done = part.done();
    job.failed = part.failed();
    job.retried = part.retried();
    job.changed = true;
    return pendingParts >= settings.maxParts() ? flush() : this;
  }

  private Behavior<Command> onFinish(Finish finish) {
    Pending job = pending(finish.view().id());
    // The final state carries the result and the store drops a finished job's part results, so
    // those not written yet never need to be: a short job costs two writes, not one per part.
    pendingParts -= job.parts.size();
    job.parts.clear();
    job.finish = finish.view();
    job.done = finish.view().done();
    job.failed = finish.view().failed();
    job.retried = finish.view().retried();
    job.changed = true;
    return this;
  }

  private Behavior<Command> onFlushNow(FlushNow now) {
    waitingForFlush.add(now.replyTo());
    return flush();
  }

  /** A coordinator that stopped without a final state (claimed elsewhere, or a bug): its results are not ours to write. */
  private Behavior<Command> onCoordinatorStopped(CoordinatorStopped stopped) {
    Pending job = jobs.get(stopped.id());
    if (job != null && job.finish == null) {
      pendingParts -= job.parts.size();
      jobs.remove(stopped.id());
    }
    return this;
  }

  private Pending pending(String id) {
    return jobs.computeIfAbsent(id, any -> new Pending());
  }

  private Behavior<Command> flush() {
    if (flushing) {
      return this;
    }
    Batch batch = takeBatch();
    if (batch.writesNothing()) {
      answerWaiting();
      return this;
    }
    flushing = true;
    getContext().pipeToSelf(write(batch), (answers, error) ->
        error == null ? new Flushed(batch, answers) : new FlushFailed(batch, error));
    return this;
  }

  /**
   * Takes up to max parts of what is pending, job by job; a finished job's final state goes with
   * its last results. With {@code checkAll}, every running job is in it, changed or not.
   */
  private Batch takeBatch() {
    List<Entry> entries = new ArrayList<>();
    List<JobView> finishes = new ArrayList<>();
    int room = settings.maxParts();
    boolean all = checkAll;
    checkAll = false;
    for (Map.Entry<String, Pending> pending : jobs.entrySet()) {
      Pending job = pending.getValue();
      if (!job.changed && !all) {
        continue;
      }
      Map<Integer, JsonNode> parts = new HashMap<>();
      var iterator = job.parts.entrySet().iterator();
      while (iterator.hasNext() && room > 0) {
        Map.Entry<Integer, JsonNode> part = iterator.next();
        parts.put(part.getKey(), part.getValue());
        iterator.remove();
        room--;
      }
      pendingParts -= parts.size();
      job.changed = !job.parts.isEmpty();
      // Done counts the parts with a recorded result: not those still waiting for the next flush.
      entries.add(new Entry(pending.getKey(), parts, job.done - job.parts.size(), job.failed, job.retried));
      if (job.finish != null && job.parts.isEmpty()) {
        finishes.add(job.finish);
      }
    }
    for (JobView finished : finishes) {
      jobs.remove(finished.id());
    }
    pruneDue |= !finishes.isEmpty();
    boolean prune = pruneDue && System.nanoTime() - lastPruneNanos >= settings.checkInterval().toNanos();
    if (prune) {
      pruneDue = false;
      lastPruneNanos = System.nanoTime();
    }
    return new Batch(entries, finishes, prune);
  }

  /** On the store's thread: the results' text, one record call, then the final states. */
  private CompletionStage<List<FlushAnswer>> write(Batch batch) {
    String self = owner;
    ActorSystem<Void> system = getContext().getSystem();
    return store.call(
        jobStore -> {
          List<JobProgress> progress = new ArrayList<>(batch.entries().size());
          for (Entry entry : batch.entries()) {
            Map<Integer, String> texts = new HashMap<>();
            entry.parts().forEach((part, result) -> texts.put(part, StoredJobs.text(result)));
            progress.add(new JobProgress(entry.id(), self, texts, entry.done(), entry.failed(), entry.retried()));
          }
          List<FlushAnswer> answers = progress.isEmpty() ? List.of() : jobStore.record(progress);
          Map<String, JobEnd> ends = new HashMap<>();
          batch.finishes().forEach(view -> ends.put(view.id(), StoredJobs.end(view)));
          for (String id : jobStore.finishAll(self, ends)) {
            system.log().warn("Job {} ended here, but another gateway owns it now: its end was not written", id);
          }
          if (batch.prune()) {
            jobStore.prune(
                Instant.now().minus(settings.retention()), settings.maxRetained(), settings.maxRetainedBytes());
          }
          return answers;
        });
  }

  private Behavior<Command> onFlushed(Flushed flushed) {
    flushing = false;
    metrics.flushed(flushed.batch().entries().stream().mapToInt(entry -> entry.parts().size()).sum());
    if (failuresInARow > 0) {
      getContext().getLog().info("The job store takes job progress again after {} failed flushes", failuresInARow);
      failuresInARow = 0;
    }
    for (FlushAnswer answer : flushed.answers()) {
      Pending job = jobs.get(answer.jobId());
      if (job == null || job.finish != null) {
        continue;
      }
      if (!answer.owned()) {
        if (job.coordinator != null) {
          job.coordinator.tell(JobCoordinator.OwnershipLost.INSTANCE);
        }
        pendingParts -= job.parts.size();
        jobs.remove(answer.jobId());
      } else if (answer.cancelRequested() && job.coordinator != null) {
        job.coordinator.tell(JobCoordinator.Cancel.INSTANCE);
      }
    }
    answerWaiting();
    return pendingParts >= settings.maxParts() ? flush() : this;
  }

  /** The batch goes back: the next flush writes it again (the store counts a part once). */
  private Behavior<Command> onFlushFailed(FlushFailed failed) {
    flushing = false;
    if (failuresInARow++ == 0) {
      getContext().getLog().warn("Writing job progress to the job store failed; retrying every flush", failed.error());
    }
    for (Entry entry : failed.batch().entries()) {
      Pending job = pending(entry.id());
      entry.parts().forEach((part, result) -> {
        if (job.parts.putIfAbsent(part, result) == null) {
          pendingParts++;
        }
      });
      job.changed = true;
    }
    for (JobView view : failed.batch().finishes()) {
      Pending job = pending(view.id());
      job.finish = view;
      job.changed = true;
    }
    pruneDue |= failed.batch().prune();
    answerWaiting();
    return this;
  }

  private void answerWaiting() {
    waitingForFlush.forEach(waiting -> waiting.tell(Done.INSTANCE));
    waitingForFlush.clear();
  }
}
