package org.taskgrid.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The same POST sent many times at once, from a bounded pool of threads (one per call, at most
 * {@link #MAX_THREADS}), each call bounded by its own timeout. Started by {@link #post}, so that a
 * test can crash a node while the calls are in flight; {@link #await} gathers every answer.
 */
final class ConcurrentCalls implements AutoCloseable {
  private static final int MAX_THREADS = 100;

  private final ExecutorService pool;
  private final List<Future<GatewayClient.Reply>> calls;
  private final Duration timeoutPerCall;

  private ConcurrentCalls(ExecutorService pool, List<Future<GatewayClient.Reply>> calls, Duration timeoutPerCall) {
    this.pool = pool;
    this.calls = calls;
    this.timeoutPerCall = timeoutPerCall;
  }

  static ConcurrentCalls post(
      GatewayClient client, String path, String json, int count, Duration timeoutPerCall) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, MAX_THREADS));
    List<Future<GatewayClient.Reply>> calls = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      calls.add(
          pool.submit(
              () -> {
                try {
                  return client.post(path, json, timeoutPerCall);
                } catch (IOException e) {
                  return GatewayClient.Reply.none(e);
                }
              }));
    }
    return new ConcurrentCalls(pool, calls, timeoutPerCall);
  }

  /**
   * Every call's answer, in the order they were sent; a call without an answer is a
   * {@link GatewayClient.Reply#none} reply. Waits at most the timeout of one call plus a margin
   * (the calls run at once), however many calls there are.
   */
  List<GatewayClient.Reply> await() throws InterruptedException {
    long deadline = System.nanoTime() + timeoutPerCall.plusSeconds(10).toNanos();
    List<GatewayClient.Reply> replies = new ArrayList<>(calls.size());
    for (Future<GatewayClient.Reply> call : calls) {
      try {
        replies.add(call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (ExecutionException e) {
        replies.add(GatewayClient.Reply.none(e.getCause()));
      } catch (TimeoutException e) {
        call.cancel(true);
        replies.add(GatewayClient.Reply.none(e));
      }
    }
    return replies;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
