package org.taskgrid.core.execution;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;

/**
 * One part on a pool thread. Reports its end exactly once, from the thread that ran it, so the
 * executor frees the slot only when the thread is really free; can be interrupted meanwhile.
 */
final class BlockingRun implements Runnable {
  private final Callable<JsonNode> work;
  private final BiConsumer<JsonNode, Throwable> onEnd;
  private volatile Thread runner;
  private volatile boolean interrupted;

  BlockingRun(Callable<JsonNode> work, BiConsumer<JsonNode, Throwable> onEnd) {
    this.work = work;
    this.onEnd = onEnd;
  }

  @Override
  public void run() {
    runner = Thread.currentThread();
    JsonNode result = null;
    Throwable error = null;
    try {
      if (interrupted) {
        throw new InterruptedException("interrupted before it started");
      }
      result = work.call();
    } catch (Throwable t) {
      error = t;
    } finally {
      // Under the lock, so an interrupt() under way lands before this point, never on the
      // thread's next part; and its flag, if the work ended without seeing it, is cleared here.
      synchronized (this) {
        runner = null;
        Thread.interrupted();
      }
    }
    onEnd.accept(result, error);
  }

  /** Asks the work to stop: interrupts its thread if it has one, or keeps it from starting. */
  synchronized void interrupt() {
    interrupted = true;
    Thread thread = runner;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
