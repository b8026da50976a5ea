package org.taskgrid.gateway.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Bounds the work of a gateway: at most {@code max-in-flight} parts run at once (sync calls and
 * job parts alike), and at most {@code max-queued} calls and jobs wait for a slot. Beyond both a
 * new call or job is refused at once, so memory never grows with the excess. Slots go to waiters
 * in turn, a job taking one slot a turn.
 *
 * <p>The conversation, for a call: {@link #acquireForCall()} gives a future slot or refuses; the
 * caller gives the slot back with {@link #release(int) release(1)} once its part ended.
 *
 * <p>For a job: {@link #admitJob} gives the job its {@link JobSlots} or refuses it. The job asks
 * {@link JobSlots#request(int) request(n)} for as many slots as it could use now and is told how
 * many it got; the others reach it later, one at a time, through its {@code onGranted} callback,
 * and are the job's from then on. It gives one back per ended part with {@link
 * JobSlots#release(int)}, and {@link JobSlots#close()} at its end returns all it still holds, also
 * those whose announcement it never read.
 *
 * <p>Thread-safe: routes and job actors share one instance, no method waits for anything but a
 * short lock, and no callback or future runs under that lock.
 */
public final class Admission {
  private int maxInFlight;
  private final int maxQueued;
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
  private int inFlight;
  /** Jobs admitted that have not asked for slots yet: they wait too. */
  private int admittedJobs;

  /** Who waits for a slot: a call, or a job. */
  private sealed interface Waiter permits CallWaiter, JobSlots {}

  /** A call waiting for its one slot; it stops waiting when its future completes otherwise. */
  private record CallWaiter(CompletableFuture<Void> slot) implements Waiter {}

  /** The slots of one admitted job; see the class comment for the conversation. */
  public final class JobSlots implements Waiter {
    private final IntConsumer onGranted;
    private boolean requested;
    private int wanted;
    private boolean queued;
    /** Slots granted to the job and not given back. */
    private int held;
    private boolean closed;

    private JobSlots(IntConsumer onGranted) {
      this.onGranted = onGranted;
    }

    /**
     * The job could use {@code wanted} more slots now (replacing its earlier request): returns how
     * many it gets at once; the rest come later through {@code onGranted}. Never refuses: an
     * admitted job is not refused part-way. {@code request(0)} leaves the queue.
     */
    public int request(int wanted) {
      synchronized (Admission.this) {
        if (closed) {
          return 0;
        }
        if (!requested) {
          requested = true;
          admittedJobs--;
        }
        int now = Math.max(0, Math.min(wanted, maxInFlight - inFlight));
        inFlight += now;
        held += now;
        this.wanted = wanted - now;
        if (this.wanted > 0 && !queued) {
          queued = true;
          queue.add(this);
        } else if (this.wanted == 0 && queued) {
          queued = false;
          queue.remove(this);
        }
        return now;
      }
    }

    /** Gives back slots whose parts ended, or that the job does not use. */
    public void release(int slots) {
      synchronized (Admission.this) {
        if (closed) {
          return; // returned at close already
        }
        held -= slots;
      }
      Admission.this.release(slots);
    }

    /** The job ended: it leaves the queue and every slot it holds goes back. Idempotent. */
    public void close() {
      int returned;
      synchronized (Admission.this) {
        if (closed) {
          return;
        }
        closed = true;
        if (!requested) {
          admittedJobs--;
        }
        if (queued) {
          queued = false;
          queue.remove(this);
        }
        returned = held;
        held = 0;
      }
      if (returned > 0) {
        Admission.this.release(returned);
      }
    }
  }

  public Admission(int maxInFlight, int maxQueued) {
    if (maxInFlight < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("max-in-flight must be >= 1 and max-queued >= 0");
    }
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
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
   * counts as waiting until it first {@link JobSlots#request requests} slots.
   *
   * @param onGranted told of each slot granted after a request, from whichever thread released it
   */
  public synchronized Optional<JobSlots> admitJob(IntConsumer onGranted) {
    if ((inFlight < maxInFlight && queue.isEmpty() && admittedJobs == 0) || queueHasRoom()) {
      admittedJobs++;
      return Optional.of(new JobSlots(onGranted));
    }
    return Optional.empty();
  }

  /** Callers that stopped waiting (timed out) are not waiting: they leave the queue when full. */
  private boolean queueHasRoom() {
    if (queue.size() + admittedJobs >= maxQueued) {
      queue.removeIf(waiter -> waiter instanceof CallWaiter call && call.slot().isDone());
    }
    return queue.size() + admittedJobs < maxQueued;
  }

  /** Gives back slots of calls whose parts ended; they go to the waiters in turn. */
  public void release(int slots) {
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    List<JobSlots> jobs = new ArrayList<>();
    synchronized (this) {
      inFlight -= slots;
      while (inFlight < maxInFlight && !queue.isEmpty()) {
        Waiter next = queue.poll();
        if (next instanceof JobSlots job) {
          inFlight++;
          job.held++;
          job.wanted--;
          job.queued = job.wanted > 0;
          if (job.queued) {
            queue.add(job);
          }
          jobs.add(job);
        } else if (next instanceof CallWaiter call && !call.slot().isDone()) {
          inFlight++;
          calls.add(call.slot());
        }
      }
    }
    // Outside the lock: whatever the waiters chained on their grants runs here.
    for (JobSlots job : jobs) {
      job.onGranted.accept(1);
    }
    for (CompletableFuture<Void> call : calls) {
      if (!call.complete(null)) {
        release(1); // it stopped waiting just now
      }
    }
  }

  /**
   * Sets how many parts may run at once from now on: more slots go to the waiters at once; with
   * fewer, parts already running go on and only new ones wait.
   */
  public void resize(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max-in-flight must be >= 1");
    }
    synchronized (this) {
      this.maxInFlight = maxInFlight;
    }
    release(0);
  }

  /** Parts running now. */
  public synchronized int inFlight() {
    return inFlight;
  }

  /** Calls and jobs waiting for a slot now. */
  public synchronized int queued() {
    return queue.size() + admittedJobs;
  }
}
