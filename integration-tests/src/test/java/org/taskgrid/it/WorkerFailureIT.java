package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A worker goes away while it has work in flight, in each of the ways a worker goes: SIGTERM (it
 * drains and leaves), SIGKILL (a crash; during calls and during a job) and SIGSTOP (a frozen JVM
 * that the cluster downs, and that comes back later with stale results). No call fails and none is
 * answered twice. One gateway for the class; each test starts the workers it needs, so that two
 * run when it begins.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerFailureIT {
  private static final String SLEEP = "/v1/tasks/sleep?mode=process";
  private static final int SLEEP_MILLIS = 3000;
  private static final String SLEPT = "{\"slept\":" + SLEEP_MILLIS + "}";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofSeconds(10);

  private static ProcessCluster cluster;
  private static GatewayClient client;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    cluster = ProcessCluster.start("WorkerFailureIT", List.of());
    client = cluster.client();
    cluster.ensureWorkers(2);
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ConcurrentCalls sleeps(int count) {
    return ConcurrentCalls.post(client, SLEEP, "{\"millis\":" + SLEEP_MILLIS + "}", count, CALL_TIMEOUT);
  }

  @Test
  @Order(1)
  void sigtermUnderLoadDrainsTheWorkerLosesNoCallAndExits0() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    ProcessCluster.Worker leaving = workers.get(0);

    List<GatewayClient.Reply> replies;
    int exitCode;
    Duration exitedAfter;
    try (ConcurrentCalls calls = sleeps(40)) {
      cluster.awaitInFlightOn(leaving, IN_FLIGHT_TIMEOUT);
      long sent = System.nanoTime();
      exitCode = leaving.process().terminate(ProcessCluster.DRAIN_TIMEOUT.plusSeconds(10));
      exitedAfter = Duration.ofNanos(System.nanoTime() - sent);
      replies = calls.await();
    }

    Answers.assertAllSucceeded(replies, SLEPT, cluster.tails());
    assertEquals(0, exitCode, "exit code after SIGTERM" + leaving.process().tail());
    // It left the cluster through Coordinated Shutdown (the reason's name differs between
    // versions of ShutdownSignals), and was not downed.
    String log = leaving.process().log();
    assertTrue(
        log.contains("Running CoordinatedShutdown with reason [") && log.contains("Exiting completed"),
        "the worker did not leave through Coordinated Shutdown" + leaving.process().tail());
    assertFalse(log.contains("ClusterDowningReason"), "the worker was downed" + leaving.process().tail());
    // It finished the parts it had rather than leaving them to be run again elsewhere.
    Map<String, Long> byNode = Answers.byNode(replies, answer -> answer.path("attempts").asInt() == 1);
    assertTrue(
        byNode.getOrDefault(leaving.address(), 0L) > 0,
        "the leaving worker answered none of its calls itself (by node, first attempts: " + byNode
            + "; exited " + exitedAfter + " after SIGTERM)" + leaving.process().tail());
  }

  @Test
  @Order(2)
  void sigkillUnderLoadSendsTheWorkersCallsElsewhereAndEveryCallSucceeds() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    ProcessCluster.Worker crashing = workers.get(0);
    ProcessCluster.Worker surviving = workers.get(1);

    List<GatewayClient.Reply> replies;
    try (ConcurrentCalls calls = sleeps(100)) {
      Thread.sleep(1000);
      cluster.awaitInFlightOn(crashing, IN_FLIGHT_TIMEOUT);
      crashing.process().kill();
      replies = calls.await();
    }
    assertEquals(137, crashing.process().awaitExit(Duration.ofSeconds(10)), "not ended by SIGKILL");

    Answers.assertAllSucceeded(replies, SLEPT, cluster.tails());
    Map<String, Long> retried = Answers.byNode(replies, answer -> answer.path("attempts").asInt() > 1);
    assertFalse(retried.isEmpty(), "no call was run again: " + Answers.byNode(replies));
    assertEquals(
        List.of(surviving.address()),
        List.copyOf(retried.keySet()),
        "calls run again ran elsewhere than on the surviving worker: " + retried);
  }

  @Test
  @Order(3)
  void sigkillDuringAJobRunsItsPartsAgainAndTheJobSucceedsWithEveryResult() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    ProcessCluster.Worker crashing = workers.get(0);
    int parts = 60;
    String inputs = String.join(",", Collections.nCopies(parts, "{\"millis\":" + SLEEP_MILLIS + "}"));

    GatewayClient.Reply created =
        client.post("/v1/jobs", "{\"task\":\"sleep\",\"inputs\":[" + inputs + "],\"mode\":\"process\"}");
    assertEquals(202, created.status(), created::toString);
    String status = created.json().path("status").asText();
    cluster.awaitInFlightOn(crashing, IN_FLIGHT_TIMEOUT);
    JsonNode running = client.get(status).json();
    crashing.process().kill();
    assertEquals("running", running.path("state").asText(), "the job ended before the crash: " + running);

    JsonNode job = Jobs.awaitFinished(client, status, Duration.ofSeconds(90));
    assertEquals(137, crashing.process().awaitExit(Duration.ofSeconds(10)), "not ended by SIGKILL");
    assertEquals("succeeded", job.path("state").asText(), job + cluster.tails());
    assertEquals(parts, job.path("done").asInt(), job::toString);
    assertEquals(0, job.path("failed").asInt(), job::toString);
    assertTrue(job.path("retried").asInt() > 0, "no part was run again: " + job);
    assertEquals(parts, job.path("result").size(), job::toString);
    job.path("result").forEach(result -> assertEquals(SLEPT, result.toString(), job::toString));
  }

  /**
   * A frozen worker (SIGSTOP: a long GC pause, a hung VM) turns unreachable: its calls complete on
   * the other worker while it is frozen, and the Split Brain Resolver downs it. Continued, it learns
   * that it was downed and exits; the results it then still sends change nothing.
   */
  @Test
  @Order(4)
  void aFrozenWorkerIsDownedItsCallsCompleteElsewhereAndItsLateResultsChangeNothing() throws Exception {
    List<ProcessCluster.Worker> workers = cluster.ensureWorkers(2);
    ProcessCluster.Worker frozen = workers.get(0);
    ProcessCluster.Worker other = workers.get(1);
    Map<String, Long> completedBefore = ProcessCluster.completed(cluster.view());
    int count = 40;

    List<GatewayClient.Reply> replies;
    Duration stoppedFor;
    try (ConcurrentCalls calls = sleeps(count)) {
      cluster.awaitInFlightOn(frozen, IN_FLIGHT_TIMEOUT);
      frozen.process().signal("STOP");
      long stoppedAt = System.nanoTime();
      try {
        // The gateway finds it unreachable and stops counting on it...
        cluster.awaitView(
            "the frozen worker's executor unreachable",
            Duration.ofSeconds(15),
            view ->
                ProcessCluster.executors(view)
                    .getOrDefault(frozen.address(), MissingNode.getInstance())
                    .path("state")
                    .asText()
                    .equals("unreachable"));
        replies = calls.await();
        assertTrue(frozen.process().isAlive(), "the frozen worker died while stopped" + frozen.process().tail());
        // ...then the Split Brain Resolver downs it, still frozen, and the cluster removes it.
        cluster.awaitView(
            "the frozen worker removed from the cluster",
            Duration.ofSeconds(30).minusNanos(System.nanoTime() - stoppedAt),
            view -> !ProcessCluster.members(view).containsKey(frozen.address()));
        stoppedFor = Duration.ofNanos(System.nanoTime() - stoppedAt);
      } finally {
        frozen.process().signal("CONT");
      }
    }

    // Every call got its answer while the worker was frozen, from the other worker.
    Answers.assertAllSucceeded(replies, SLEPT, cluster.tails());
    Map<String, Long> byNode = Answers.byNode(replies);
    assertEquals(List.of(other.address()), List.copyOf(byNode.keySet()), "answered by " + byNode);
    assertTrue(Answers.retried(replies) > 0, "no call was run again: " + byNode);

    // Continued, it finds itself downed and Coordinated Shutdown exits its JVM.
    int exitCode = frozen.process().awaitExit(Duration.ofSeconds(30));
    // Akka exits with -1 when the cluster downed the node: a failure, for a supervisor to restart.
    assertEquals(255, exitCode, "exit code of the downed worker" + frozen.process().tail());
    assertTrue(
        frozen.process().log().contains("Running CoordinatedShutdown with reason [ClusterDowningReason]"),
        "the worker did not shut down as downed (exit code " + exitCode + ", stopped for " + stoppedFor + ")"
            + frozen.process().tail());

    // Its late results counted nowhere: each call completed exactly once, on the other worker.
    Thread.sleep(1000);
    Map<String, Long> completedAfter = ProcessCluster.completed(cluster.view());
    assertFalse(completedAfter.containsKey(frozen.address()), "the gateway still lists it: " + completedAfter);
    assertEquals(
        completedBefore.get(other.address()) + count,
        completedAfter.get(other.address()),
        "completed before " + completedBefore + ", after " + completedAfter);
    assertTrue(other.process().isAlive(), "the other worker died" + other.process().tail());
  }
}
