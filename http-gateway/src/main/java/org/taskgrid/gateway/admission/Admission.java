package org.taskgrid.gateway.admission;

import com.typesafe.config.Config;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Bounds the work of a gateway: at most {@code max-in-flight} parts run at once (sync calls and
 * job parts alike), and at most {@code max-queued} wait for a slot, where a waiting call counts
 * once and a job with parts not yet dispatched counts once. Beyond both a new call or job is
 * refused at once, so memory never grows with the excess. Slots go to waiters in turn, a job
 * taking one slot a turn. Thread-safe: routes and job actors share one instance, and no method
 * waits for anything but a short lock.
 */
public final class Admission {
  private final int maxInFlight;
  private final int maxQueued;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int inFlight;
  /** Jobs admitted whose coordinator has not asked for slots yet: they wait too. */
  private int reservedJobs;

  /** Who waits for a slot: a call, or a job. */
  private sealed interface Waiter permits CallWaiter, JobWaiter {}

  /** A call waiting for its one slot; it stops waiting when its future completes otherwise. */
  private record CallWaiter(CompletableFuture<Void> slot) implements Waiter {}

  /**
   * A job's standing request for slots. A slot granted later is announced through
   * {@code onGranted} and is the job's once it {@link #claim claims} it; one still unclaimed when
   * the job {@link #withdraw withdraws} goes back, so a job that ends before it reads the
   * announcement takes no slot with it.
   */
  public static final class JobWaiter implements Waiter {
    private final IntConsumer onGranted;
    private int wanted;
    private boolean queued;
    private int unclaimed;

    public JobWaiter(IntConsumer onGranted) {
      this.onGranted = onGranted;
    }
  }

  public Admission(int maxInFlight, int maxQueued) {
    if (maxInFlight < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("max-in-flight must be >= 1 and max-queued >= 0");
    }
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
  }

  public static Admission fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.admission");
    return new Admission(config.getInt("max-in-flight"), config.getInt("max-queued"));
  }

  /**
   * A slot for one synchronous call: a future that completes when the slot is the caller's (at
   * once if one is free), or empty when the call is refused. The caller releases the slot once
   * its part ended; if it stops waiting (the future is completed otherwise, e.g. by a timeout),
   * the slot goes to the next waiter instead.
   */
  public Optional<CompletableFuture<Void>> acquireForCall() {
    synchronized (this) {
      if (inFlight < maxInFlight) {
        inFlight++;
        return Optional.of(CompletableFuture.completedFuture(null));
      }
      if (!queueHasRoom()) {
        return Optional.empty();
      }
      CompletableFuture<Void> slot = new CompletableFuture<>();
      queue.add(new CallWaiter(slot));
      return Optional.of(slot);
    }
  }

  /**
   * Admits a new job when a slot is free and nobody waits, or the queue has room for it; the job
   * then counts as waiting until its coordinator {@link #claimReservation() claims} its place.
   */
  public synchronized boolean reserveJob() {
    if ((inFlight < maxInFlight && queue.isEmpty() && reservedJobs == 0) || queueHasRoom()) {
      reservedJobs++;
      return true;
    }
    return false;
  }

  /** An admitted job's coordinator takes its place: from now on it asks for slots itself. */
  public synchronized void claimReservation() {
    if (reservedJobs > 0) {
      reservedJobs--;
    }
  }

  /** Callers that stopped waiting (timed out) are not waiting: they leave the queue when full. */
  private boolean queueHasRoom() {
    if (queue.size() + reservedJobs >= maxQueued) {
      queue.removeIf(waiter -> waiter instanceof CallWaiter call && call.slot().isDone());
    }
    return queue.size() + reservedJobs < maxQueued;
  }

  /**
   * Asks for up to {@code wanted} slots for an admitted job, replacing its earlier request: returns
   * how many it gets now; the rest arrive later through the waiter, one at a time. Never refuses:
   * an admitted job is not refused part-way.
   */
  public synchronized int acquireForJob(JobWaiter waiter, int wanted) {
    int now = Math.max(0, Math.min(wanted, maxInFlight - inFlight));
    inFlight += now;
    waiter.wanted = wanted - now;
    if (waiter.wanted > 0 && !waiter.queued) {
      waiter.queued = true;
      queue.add(waiter);
    }
    return now;
  }

  /**
   * Takes up to {@code announced} slots that {@code onGranted} announced: returns how many are
   * still the job's (none once it withdrew, as they went back then).
   */
  public synchronized int claim(JobWaiter waiter, int announced) {
    int claimed = Math.max(0, Math.min(announced, waiter.unclaimed));
    waiter.unclaimed -= claimed;
    return claimed;
  }

  /**
   * The job wants no more slots (it ended, or has nothing left to dispatch); slots announced to
   * it but not yet claimed go back.
   */
  public void withdraw(JobWaiter waiter) {
    int unclaimed;
    synchronized (this) {
      waiter.wanted = 0;
      if (waiter.queued) {
        waiter.queued = false;
        queue.remove(waiter);
      }
      unclaimed = waiter.unclaimed;
      waiter.unclaimed = 0;
    }
    if (unclaimed > 0) {
      release(unclaimed);
    }
  }

  /** Gives back slots whose parts ended; they go to the waiters in turn. */
  public void release(int slots) {
    List<CompletableFuture<Void>> granted = new ArrayList<>();
    synchronized (this) {
      inFlight -= slots;
      while (inFlight < maxInFlight && !queue.isEmpty()) {
        Waiter next = queue.poll();
        if (next instanceof JobWaiter job) {
          inFlight++;
          job.wanted--;
          job.queued = job.wanted > 0;
          if (job.queued) {
            queue.add(job);
          }
          job.unclaimed++;
          job.onGranted.accept(1);
        } else if (next instanceof CallWaiter call && !call.slot().isDone()) {
          inFlight++;
          granted.add(call.slot());
        }
      }
    }
    // Completed outside the lock: whatever the caller chained on its future runs here.
    for (CompletableFuture<Void> call : granted) {
      if (!call.complete(null)) {
        release(1); // it stopped waiting just now
      }
    }
  }

  /** Parts running now. */
  public synchronized int inFlight() {
    return inFlight;
  }

  /** Calls and jobs waiting for a slot now. */
  public synchronized int queued() {
    return queue.size() + reservedJobs;
  }
}
