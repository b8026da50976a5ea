package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One part on a pool thread: its end is reported once, and an interrupt reaches only that part. */
class BlockingRunTest {
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  /** What onEnd reported: the result or the error, and how many times. */
  private record End(JsonNode result, Throwable error, String thread) {}

  private final LinkedBlockingQueue<End> ends = new LinkedBlockingQueue<>();

  private BlockingRun run(Callable<JsonNode> work) {
    return new BlockingRun(
        work,
        (result, error) -> ends.add(new End(result, error, Thread.currentThread().getName())));
  }

  private End nextEnd() throws InterruptedException {
    End end = ends.poll(5, TimeUnit.SECONDS);
    assertTrue(end != null, "onEnd was not called");
    return end;
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void reportsTheResultOnceFromTheThreadThatRanIt() throws Exception {
    pool.execute(run(() -> TextNode.valueOf("done")));
    End end = nextEnd();
    assertEquals(TextNode.valueOf("done"), end.result());
    assertNull(end.error());
    assertFalse(end.thread().equals(Thread.currentThread().getName()));
    assertNull(ends.poll(100, TimeUnit.MILLISECONDS), "onEnd called twice");
  }

  @Test
  void reportsWhatTheWorkThrows() throws Exception {
    pool.execute(
        run(
            () -> {
              throw new IllegalStateException("boom");
            }));
    End end = nextEnd();
    assertNull(end.result());
    assertEquals("boom", end.error().getMessage());
  }

  @Test
  void anInterruptBeforeItStartsKeepsTheWorkFromRunning() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    BlockingRun blocking =
        run(
            () -> {
              calls.incrementAndGet();
              return TextNode.valueOf("ran");
            });
    blocking.interrupt();
    pool.execute(blocking);
    assertInstanceOf(InterruptedException.class, nextEnd().error());
    assertEquals(0, calls.get());
  }

  @Test
  void anInterruptStopsBlockingWork() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    BlockingRun blocking =
        run(
            () -> {
              started.countDown();
              Thread.sleep(60_000);
              return TextNode.valueOf("slept");
            });
    pool.execute(blocking);
    assertTrue(started.await(5, TimeUnit.SECONDS));
    blocking.interrupt();
    assertInstanceOf(InterruptedException.class, nextEnd().error());
  }

  @Test
  void anInterruptAfterTheEndDoesNotReachTheThreadsNextWork() throws Exception {
    BlockingRun first = run(() -> TextNode.valueOf("first"));
    pool.execute(first);
    assertEquals(TextNode.valueOf("first"), nextEnd().result());
    first.interrupt(); // its timeout fired just too late

    CountDownLatch release = new CountDownLatch(1);
    pool.execute(
        run(
            () -> {
              release.await(); // the same pool thread, now running another part
              return TextNode.valueOf("second");
            }));
    first.interrupt();
    release.countDown();
    End second = nextEnd();
    assertNull(second.error(), () -> "the second part was interrupted: " + second.error());
    assertEquals(TextNode.valueOf("second"), second.result());
  }

  @Test
  void leavesNoInterruptOnThePoolThread() throws Exception {
    // The interrupt lands while the work is finishing without looking at it: the flag must not
    // survive the part (a later part on this thread would fail at its first blocking call).
    CountDownLatch finishing = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    BlockingRun blocking =
        run(
            () -> {
              finishing.countDown();
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
              while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
              }
              interrupted.countDown();
              return TextNode.valueOf("finished anyway");
            });
    pool.execute(blocking);
    assertTrue(finishing.await(5, TimeUnit.SECONDS));
    blocking.interrupt();
    assertTrue(interrupted.await(5, TimeUnit.SECONDS));
    nextEnd();
    boolean[] flagOnNextTask = new boolean[1];
    pool.submit(() -> flagOnNextTask[0] = Thread.currentThread().isInterrupted())
        .get(5, TimeUnit.SECONDS);
    assertFalse(flagOnNextTask[0]);
  }

  /** A pool thread whose interrupt() can be held up, like a caller descheduled in mid-call. */
  private static final class SlowToInterrupt extends Thread {
    volatile CountDownLatch entered;
    volatile CountDownLatch proceed;

    SlowToInterrupt(Runnable target) {
      super(target, "slow-to-interrupt");
    }

    @Override
    public void interrupt() {
      CountDownLatch enteredNow = entered;
      CountDownLatch proceedNow = proceed;
      if (enteredNow != null && Thread.currentThread() != this) {
        entered = null;
        enteredNow.countDown();
        try {
          proceedNow.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      super.interrupt();
    }
  }

  @Test
  void aLateInterruptDoesNotHitTheNextPartOnTheSameThread() throws Exception {
    // interrupt() reads the part's thread, then interrupts it. If the caller is descheduled
    // between the two while the part ends and its thread starts the next part, the interrupt
    // must not land on that next part.
    SlowToInterrupt[] thread = new SlowToInterrupt[1];
    ExecutorService slowPool =
        Executors.newSingleThreadExecutor(
            r -> {
              thread[0] = new SlowToInterrupt(r);
              return thread[0];
            });
    try {
      CountDownLatch inFirst = new CountDownLatch(1);
      CountDownLatch finishFirst = new CountDownLatch(1);
      CountDownLatch secondStarted = new CountDownLatch(1);
      BlockingRun first =
          run(
              () -> {
                inFirst.countDown();
                finishFirst.await();
                return TextNode.valueOf("first");
              });
      BlockingRun second =
          run(
              () -> {
                secondStarted.countDown();
                Thread.sleep(300);
                return TextNode.valueOf("second");
              });
      slowPool.execute(first);
      slowPool.execute(second);
      assertTrue(inFirst.await(5, TimeUnit.SECONDS));

      CountDownLatch interruptPending = new CountDownLatch(1);
      thread[0].proceed = secondStarted;
      thread[0].entered = interruptPending;
      Thread timeout = new Thread(first::interrupt, "timeout");
      timeout.start();
      assertTrue(interruptPending.await(5, TimeUnit.SECONDS));
      finishFirst.countDown(); // the first part ends while its interrupt is on its way

      assertEquals(TextNode.valueOf("first"), nextEnd().result());
      End end = nextEnd();
      assertNull(end.error(), () -> "the next part was interrupted: " + end.error());
      assertEquals(TextNode.valueOf("second"), end.result());
      timeout.join(5_000);
    } finally {
      slowPool.shutdownNow();
    }
  }
}
