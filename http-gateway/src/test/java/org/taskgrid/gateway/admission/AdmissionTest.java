package org.taskgrid.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/** {@link Admission} on its own: bounds, order of the waiters, jobs, and many threads at once. */
class AdmissionTest {

  @Test
  void callsAreGrantedUpToMaxInFlightThenQueuedUpToMaxQueuedThenRefused() {
    Admission admission = new Admission(2, 3);

    for (int i = 0; i < 2; i++) {
      CompletableFuture<Void> slot = admission.acquireForCall().orElseThrow();
      assertTrue(slot.isDone() && !slot.isCompletedExceptionally(), "granted at once");
    }
    for (int i = 0; i < 3; i++) {
      assertFalse(admission.acquireForCall().orElseThrow().isDone(), "queued");
    }
    assertEquals(Optional.empty(), admission.acquireForCall(), "refused beyond both bounds");
    assertEquals(2, admission.inFlight());
    assertEquals(3, admission.queued());
  }

  @Test
  void withoutAQueueACallBeyondMaxInFlightIsRefused() {
    Admission admission = new Admission(1, 0);
    assertTrue(admission.acquireForCall().orElseThrow().isDone());
    assertEquals(Optional.empty(), admission.acquireForCall());
    assertEquals(Optional.empty(), admission.admitJob(slots -> {}));
  }

  @Test
  void releaseHandsTheSlotToTheNextWaiterInOrder() {
    Admission admission = new Admission(1, 3);
    admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> b = admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> c = admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> d = admission.acquireForCall().orElseThrow();

    admission.release(1);
    assertTrue(b.isDone());
    assertFalse(c.isDone() || d.isDone(), "one slot, one waiter");
    assertEquals(1, admission.inFlight(), "the slot moved to b");
    admission.release(1);
    assertTrue(c.isDone());
    assertFalse(d.isDone());
    admission.release(1);
    assertTrue(d.isDone());
    admission.release(1);
    assertEquals(0, admission.inFlight());
    assertEquals(0, admission.queued());
  }

  @Test
  void aWaiterThatStoppedWaitingIsSkippedAndTheSlotGoesOn() throws Exception {
    Admission admission = new Admission(1, 3);
    admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> timedOut = admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> cancelled = admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> waiting = admission.acquireForCall().orElseThrow();

    timedOut.orTimeout(1, TimeUnit.MILLISECONDS);
    ExecutionException expired =
        assertThrows(ExecutionException.class, () -> timedOut.get(5, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, expired.getCause());
    assertTrue(cancelled.cancel(false));

    admission.release(1);
    assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "the slot skipped both");
    assertEquals(1, admission.inFlight());
    assertEquals(0, admission.queued());

    admission.release(1);
    assertEquals(0, admission.inFlight());
  }

  @Test
  void whenEveryWaiterStoppedWaitingTheSlotIsFree() {
    Admission admission = new Admission(1, 2);
    admission.acquireForCall().orElseThrow();
    admission.acquireForCall().orElseThrow().cancel(false);
    admission.acquireForCall().orElseThrow().cancel(false);

    admission.release(1);
    assertEquals(0, admission.inFlight());
    assertEquals(0, admission.queued());
    assertTrue(admission.acquireForCall().orElseThrow().isDone());
  }

  @Test
  void callersThatStoppedWaitingDoNotFillTheQueue() {
    // Nobody waits any more, so a new call is not beyond max-queued (and a job is admitted).
    Admission admission = new Admission(1, 2);
    admission.acquireForCall().orElseThrow();
    admission.acquireForCall().orElseThrow().cancel(false);
    admission.acquireForCall().orElseThrow().cancel(false);

    admitJob(admission, slots -> {}).request(0);
    CompletableFuture<Void> next = admission.acquireForCall().orElseThrow();
    assertFalse(next.isDone());
    admission.release(1);
    assertTrue(next.isDone());
  }

  @Test
  void aJobGetsTheFreeSlotsAtOnceAndWaitsForTheRest() {
    Admission admission = new Admission(3, 1);
    List<Integer> grants = new ArrayList<>();
    Admission.JobSlots job = admitJob(admission, grants::add);

    assertEquals(2, job.request(2));
    assertEquals(0, admission.queued(), "it wants no more");
    assertEquals(1, job.request(5), "one slot is left of three");
    assertEquals(3, admission.inFlight());
    assertEquals(1, admission.queued());
    assertEquals(List.of(), grants);
  }

  @Test
  void aJobCountsOnceInTheQueueHoweverManySlotsItWants() {
    Admission admission = new Admission(1, 2);
    admission.acquireForCall().orElseThrow();
    Admission.JobSlots job = admitJob(admission, slots -> {});

    assertEquals(0, job.request(1000));
    assertEquals(1, admission.queued());
    assertEquals(0, job.request(50), "a new request replaces the old one");
    assertEquals(1, admission.queued());
    Admission.JobSlots second = admitJob(admission, slots -> {});
    assertEquals(2, admission.queued(), "an admitted job holds its place until it asks");
    assertEquals(Optional.empty(), admission.admitJob(slots -> {}));
    assertEquals(Optional.empty(), admission.acquireForCall());
    second.request(0);

    assertFalse(admission.acquireForCall().orElseThrow().isDone());
    assertEquals(2, admission.queued());
    assertEquals(Optional.empty(), admission.admitJob(slots -> {}));
    assertEquals(Optional.empty(), admission.acquireForCall());
  }

  @Test
  void slotsGoInTurnAJobTakingOneSlotATurn() {
    Admission admission = new Admission(1, 4);
    admission.acquireForCall().orElseThrow();
    List<String> order = new ArrayList<>();
    Admission.JobSlots job =
        admitJob(
            admission,
            slots -> {
              assertEquals(1, slots);
              order.add("job");
            });
    assertEquals(0, job.request(10));
    waitingCall(admission, "b", order);
    waitingCall(admission, "c", order);

    for (int i = 0; i < 4; i++) {
      admission.release(1);
    }
    assertEquals(List.of("job", "b", "c", "job"), order);

    waitingCall(admission, "d", order);
    for (int i = 0; i < 3; i++) {
      admission.release(1);
    }
    assertEquals(List.of("job", "b", "c", "job", "job", "d", "job"), order);
    assertEquals(1, admission.inFlight(), "every grant moved the one slot on");
    assertEquals(1, admission.queued(), "the job still wants slots");
  }

  @Test
  void aJobIsGrantedNoMoreThanItAskedFor() {
    Admission admission = new Admission(1, 2);
    admission.acquireForCall().orElseThrow();
    AtomicInteger granted = new AtomicInteger();
    Admission.JobSlots job = admitJob(admission, granted::addAndGet);
    assertEquals(0, job.request(2));

    admission.release(1);
    assertEquals(1, granted.get());
    job.release(1);
    assertEquals(2, granted.get());
    assertEquals(0, admission.queued(), "satisfied, it left the queue");
    assertEquals(1, admission.inFlight(), "the job holds the one slot");

    job.release(1);
    assertEquals(2, granted.get(), "no third grant");
    assertEquals(0, admission.inFlight());
  }

  @Test
  void aJobThatWantsNothingMoreLeavesTheQueue() {
    // It is not granted a slot it would only give back (code review L13).
    Admission admission = new Admission(1, 2);
    admission.acquireForCall().orElseThrow();
    AtomicInteger granted = new AtomicInteger();
    Admission.JobSlots job = admitJob(admission, granted::addAndGet);
    assertEquals(0, job.request(3));
    assertEquals(1, admission.queued());

    assertEquals(0, job.request(0));
    assertEquals(0, admission.queued());
    admission.release(1);
    assertEquals(0, granted.get());
    assertEquals(0, admission.inFlight());
  }

  @Test
  void closeRemovesAJobFromTheQueue() {
    Admission admission = new Admission(1, 1);
    admission.acquireForCall().orElseThrow();
    AtomicInteger granted = new AtomicInteger();
    Admission.JobSlots job = admitJob(admission, granted::addAndGet);
    job.request(3);
    assertEquals(1, admission.queued());

    job.close();
    assertEquals(0, admission.queued());
    CompletableFuture<Void> call = admission.acquireForCall().orElseThrow();
    admission.release(1);
    assertEquals(0, granted.get(), "a closed job gets nothing");
    assertTrue(call.isDone());

    job.close(); // twice is harmless
    job.release(1); // and so is a late release
    assertEquals(0, job.request(1), "nor does it ask again");
    assertEquals(1, admission.inFlight());
    assertEquals(0, admission.queued());
  }

  @Test
  void closeGivesBackEverySlotTheJobHoldsAlsoThoseItWasNotToldOfYet() {
    // A grant reaches a job as a message; a job that ends before it reads the message must not
    // take the slot with it.
    Admission admission = new Admission(2, 2);
    Admission.JobSlots job = admitJob(admission, slots -> {});
    assertEquals(2, job.request(10));

    job.release(2); // both parts ended; both slots go straight back to the job
    assertEquals(2, admission.inFlight());
    job.close(); // the job ends before it reads the grants

    assertEquals(0, admission.inFlight());
    assertTrue(admission.acquireForCall().orElseThrow().isDone());
  }

  @Test
  void admitJobFollowsTheBounds() {
    Admission admission = new Admission(2, 1);
    admitJob(admission, slots -> {}).request(0); // "free slots and nobody waits"
    admission.acquireForCall().orElseThrow();
    admission.acquireForCall().orElseThrow();
    Admission.JobSlots admitted = admitJob(admission, slots -> {}); // "room in the queue"
    assertEquals(Optional.empty(), admission.admitJob(slots -> {}), "no free slot, no room");
    assertEquals(Optional.empty(), admission.acquireForCall(), "the admitted job holds the place");
    admitted.request(0);

    CompletableFuture<Void> waiting = admission.acquireForCall().orElseThrow();
    assertEquals(Optional.empty(), admission.admitJob(slots -> {}), "no free slot, no room");
    admission.release(1);
    assertTrue(waiting.isDone());
    admitJob(admission, slots -> {}).request(0); // "the queue emptied"
    admission.release(2);
    assertEquals(0, admission.inFlight());
    assertEquals(0, admission.queued());
  }

  @Test
  void aJobAdmittedAndClosedBeforeItAskedHoldsNothing() {
    Admission admission = new Admission(1, 1);
    admission.acquireForCall().orElseThrow();
    admitJob(admission, slots -> {}).close();
    assertEquals(0, admission.queued());
    assertFalse(admission.acquireForCall().orElseThrow().isDone(), "its place is free again");
  }

  private static Admission.JobSlots admitJob(Admission admission, IntConsumer onGranted) {
    return admission.admitJob(onGranted).orElseThrow(() -> new AssertionError("job refused"));
  }

  @Test
  void aLargerBudgetGrantsTheWaitersAtOnceASmallerOneLetsRunningPartsEnd() {
    Admission admission = new Admission(1, 4);
    admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> b = admission.acquireForCall().orElseThrow();
    CompletableFuture<Void> c = admission.acquireForCall().orElseThrow();

    admission.resize(3);
    assertTrue(b.isDone() && c.isDone(), "both waiters got one of the new slots");
    assertEquals(3, admission.inFlight());

    admission.resize(1);
    CompletableFuture<Void> d = admission.acquireForCall().orElseThrow();
    assertFalse(d.isDone(), "three run where one may: a new call waits");
    admission.release(1);
    admission.release(1);
    assertFalse(d.isDone(), "still one running, the budget's one");
    admission.release(1);
    assertTrue(d.isDone());
    assertThrows(IllegalArgumentException.class, () -> admission.resize(0));
  }

  @Test
  void boundsMustMakeSense() {
    assertThrows(IllegalArgumentException.class, () -> new Admission(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Admission(1, -1));
  }

  @Test
  void manyThreadsNeverHoldMoreThanMaxInFlightAndEndWithNothingHeld() throws Exception {
    int maxInFlight = 3;
    int threads = 6;
    int iterations = 1500;
    Admission admission = new Admission(maxInFlight, 4);
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger mostHeld = new AtomicInteger();
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger gaveUp = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < iterations; i++) {
                    Optional<CompletableFuture<Void>> slot = admission.acquireForCall();
                    if (slot.isEmpty()) {
                      refused.incrementAndGet();
                      Thread.onSpinWait();
                      continue;
                    }
                    if (!awaitSlot(slot.get(), i % 7 == 0 ? 0 : 20)) {
                      gaveUp.incrementAndGet();
                      continue;
                    }
                    granted.incrementAndGet();
                    hold(holding, mostHeld, 1);
                    admission.release(1);
                  }
                  return null;
                }));
      }
      // A job alongside: it uses the slots granted to it briefly, and asks again.
      AtomicInteger signalled = new AtomicInteger();
      Admission.JobSlots job = admitJob(admission, signalled::addAndGet);
      Future<?> jobRunner =
          pool.submit(
              () -> {
                for (int i = 0; i < iterations; i++) {
                  int slots = job.request(2);
                  slots += signalled.getAndSet(0);
                  hold(holding, mostHeld, slots);
                  job.release(slots);
                  Thread.yield();
                }
                job.close();
                return null;
              });
      for (Future<?> worker : workers) {
        worker.get(30, TimeUnit.SECONDS);
      }
      jobRunner.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "the threads stopped");
    }

    assertTrue(mostHeld.get() <= maxInFlight, () -> "held at once: " + mostHeld.get());
    assertTrue(granted.get() > 0, "some calls got a slot");
    assertEquals(0, holding.get());
    assertEquals(0, admission.inFlight(), "every slot came back");
    assertEquals(0, admission.queued(), "nobody waits");
    // refused and gaveUp depend on the scheduling; they only have to add up.
    assertEquals(threads * iterations, granted.get() + refused.get() + gaveUp.get());
  }

  /** Waits for a slot; gives up (cancels) after the time, unless it was granted meanwhile. */
  private static boolean awaitSlot(CompletableFuture<Void> slot, long millis) throws Exception {
    try {
      slot.get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      // Cancelling loses to a grant that came just now: then the slot is ours after all.
      return !slot.cancel(false);
    }
  }

  /** Holds {@code slots} slots a moment, noting the most held at once. */
  private static void hold(AtomicInteger holding, AtomicInteger mostHeld, int slots) {
    int now = holding.addAndGet(slots);
    mostHeld.accumulateAndGet(now, Math::max);
    Thread.yield();
    holding.addAndGet(-slots);
  }

  private static void waitingCall(Admission admission, String name, List<String> order) {
    CompletableFuture<Void> call = admission.acquireForCall().orElseThrow();
    assertFalse(call.isDone());
    call.thenRun(() -> order.add(name));
  }
}
