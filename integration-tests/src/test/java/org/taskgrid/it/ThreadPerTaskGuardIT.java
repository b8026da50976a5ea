package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The thread-per-task trap: with {@code ForkJoinPool.commonPool()} at parallelism 1 (as on a
 * 2-core machine), {@code CompletableFuture}'s default async executor starts a new thread for
 * every task, and the stages chained on an Akka ask run there. The gateway must keep its
 * hot paths off that executor: thousands of calls and parts start almost no thread.
 */
class ThreadPerTaskGuardIT {
  private static final Pattern STARTED = Pattern.compile("java\\.threads\\.started=(\\d+)");
  private static final int CALLS = 2_000;
  private static final int PARTS = 2_000;
  private static final int WARM_UP_CALLS = 600;
  /** Pools may still grow a little (HTTP connections, the blocking lane), never per call. */
  private static final int MOST_NEW_THREADS = 50;

  private static GatewayClient client;
  private static NodeProcess gateway;

  @BeforeAll
  static void startGateway() throws InterruptedException {
    int httpPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gateway =
        NodeProcess.start(
            "ThreadPerTaskGuardIT-gateway",
            NodeProcess.javaJar(
                Artifacts.gatewayJar(),
                List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=1")),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next())));
    gateway.awaitReady(client, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void thousandsOfCallsAndPartsStartAlmostNoThread() throws Exception {
    // Warm up in every mode as concurrently as the test will, so that the pools (the blocking
    // lane grows up to its slots) reach their working size before counting.
    callsInEveryMode(WARM_UP_CALLS);
    long before = threadsStarted();

    callsInEveryMode(CALLS);
    GatewayClient.Reply accepted =
        client.post("/v1/jobs", "{\"task\":\"echo\",\"mode\":\"process\",\"inputs\":" + inputs() + "}");
    assertEquals(202, accepted.status(), accepted::toString);
    JsonNode job =
        Jobs.awaitFinished(
            client, accepted.json().path("status").asText(), Duration.ofSeconds(120));
    assertEquals("succeeded", job.path("state").asText(), job::toString);
    assertEquals(PARTS, job.path("done").asInt(), job::toString);

    long started = threadsStarted() - before;
    assertTrue(
        started < MOST_NEW_THREADS,
        "the gateway started " + started + " threads for " + CALLS + " calls and " + PARTS
            + " parts: some stage runs on CompletableFuture's default executor");
  }

  private static void callsInEveryMode(int count) throws InterruptedException {
    for (String mode : List.of("async", "thread", "process")) {
      try (ConcurrentCalls calls =
          ConcurrentCalls.post(
              client, "/v1/tasks/echo?mode=" + mode, "{\"n\":1}", count / 3, Duration.ofSeconds(60))) {
        for (GatewayClient.Reply reply : calls.await()) {
          assertEquals(200, reply.status(), reply::toString);
        }
      }
    }
  }

  private static String inputs() {
    StringBuilder inputs = new StringBuilder("[");
    for (int i = 0; i < PARTS; i++) {
      inputs.append(i == 0 ? "" : ",").append(i);
    }
    return inputs.append(']').toString();
  }

  /** The JVM's own count of threads it ever started, read with the JDK's jcmd. */
  private static long threadsStarted() throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(Artifacts.jdkTool("jcmd"), Long.toString(gateway.pid()), "PerfCounter.print")
            .redirectErrorStream(true)
            .start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS), "jcmd did not end");
    Matcher matcher = STARTED.matcher(output);
    assertTrue(matcher.find(), () -> "jcmd printed no java.threads.started: " + output);
    return Long.parseLong(matcher.group(1));
  }
}
