package org.taskgrid.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;
import org.taskgrid.gateway.jobs.store.JobProgress;
import org.taskgrid.gateway.jobs.store.JobStore;
import org.taskgrid.gateway.jobs.store.StoreSettings;
import org.taskgrid.gateway.jobs.store.StoredJob;

/**
 * Recovery with real gateways in this JVM and a real job store (H2 in a file; PostgreSQL in a
 * subclass): jobs of a gateway that is gone are resumed by the next gateway that starts on the
 * store, with only their unrecorded parts run again; a job whose task the gateway does not know
 * fails with a clear error; one whose cancel was asked ends cancelled; a gateway that stops leaves
 * its running jobs to the next.
 */
abstract class JobRecoveryTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  /** An owner that is no member of any cluster: its jobs are orphans. */
  private static final String GONE = "akka://taskgrid@127.0.0.1:1#42";

  /** {@code taskgrid.store} settings of a fresh, empty database, as HOCON. */
  abstract String freshStore() throws Exception;

  @Test
  void theJobsOfAGatewayThatIsGoneAreResumedWithOnlyTheirUnrecordedParts() throws Exception {
    String store = freshStore();
    String resumable = UUID.randomUUID().toString();
    String unknownTask = UUID.randomUUID().toString();
    String cancelAsked = UUID.randomUUID().toString();
    try (JobStore jobs = open(store)) {
      jobs.create(
          StoredJob.accepted(
              resumable, "echo", "thread",
              "{\"task\":\"echo\",\"mode\":\"thread\",\"inputs\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 5,
              Instant.now(), GONE));
      // Parts 0 and 2 were recorded before the gateway died; 1 was dispatched, not recorded.
      jobs.record(
          List.of(new JobProgress(resumable, GONE, Map.of(0, "\"recorded-a\"", 2, "\"recorded-c\""), 2, 0, 0)));
      jobs.create(
          StoredJob.accepted(
              unknownTask, "vanished", "thread", "{\"task\":\"vanished\",\"inputs\":[1]}", 1, Instant.now(), GONE));
      jobs.create(
          StoredJob.accepted(
              cancelAsked, "echo", "thread", "{\"task\":\"echo\",\"inputs\":[1]}", 1, Instant.now(), GONE));
      assertTrue(jobs.requestCancel(cancelAsked));
    }

    TestGateway gateway = TestGateway.withConfig(store);
    try {
      gateway.start();
      JsonNode resumed = awaitFinished(gateway, resumable);
      assertEquals("succeeded", resumed.path("state").asText(), resumed::toString);
      // Recorded results are not run again: the echo of parts 0 and 2 would be "a" and "c".
      assertEquals("[\"recorded-a\",\"b\",\"recorded-c\",\"d\",\"e\"]", resumed.path("result").toString());
      assertEquals(5, resumed.path("done").asInt());
      assertEquals(1, resumed.path("retried").asInt(), "part 1 ran again: " + resumed);

      JsonNode failed = awaitFinished(gateway, unknownTask);
      assertEquals("failed", failed.path("state").asText(), failed::toString);
      JsonNode error = failed.path("errors").get(0);
      assertEquals("unknown_task", error.path("code").asText(), failed::toString);
      assertTrue(error.path("message").asText().contains("vanished"), failed::toString);

      JsonNode cancelled = awaitFinished(gateway, cancelAsked);
      assertEquals("cancelled", cancelled.path("state").asText(), cancelled::toString);
    } finally {
      gateway.terminate();
    }
  }

  @Test
  void aJobLeftRunningByAStoppedGatewayFinishesOnTheNextOneExactly() throws Exception {
    String store = freshStore();
    String slow = store + "\ntaskgrid.jobs.max-window = 2\n";
    int parts = 60;
    String inputs =
        IntStream.range(0, parts).mapToObj(i -> "{\"millis\":" + (20 + i) + "}").collect(Collectors.joining(","));
    TestGateway first = TestGateway.withConfig(slow);
    String id;
    try {
      first.start();
      HttpResult created =
          first.post("/v1/jobs", "{\"task\":\"sleep\",\"mode\":\"thread\",\"inputs\":[" + inputs + "]}");
      assertEquals(202, created.status(), created::toString);
      id = created.json().path("id").asText();
      Await.atMost(WITHIN, "a few parts of job " + id + " done")
          .until(() -> first.get("/v1/jobs/" + id).json(), job -> job.path("done").asInt() >= 10);
    } finally {
      first.terminate();
    }

    TestGateway second = TestGateway.withConfig(slow);
    try {
      second.start();
      JsonNode job = awaitFinished(second, id);
      assertEquals("succeeded", job.path("state").asText(), job::toString);
      assertEquals(parts, job.path("done").asInt(), job::toString);
      for (int i = 0; i < parts; i++) {
        assertEquals(20 + i, job.path("result").get(i).path("slept").asInt(), "part " + i);
      }
    } finally {
      second.terminate();
    }
  }

  private static JobStore open(String store) {
    return JobStore.open(
        StoreSettings.fromConfig(NodeConfig.load(Map.of(), ConfigFactory.parseString(store))));
  }

  private static JsonNode awaitFinished(TestGateway gateway, String id) throws InterruptedException {
    return Await.atMost(WITHIN, "the end of job " + id)
        .until(() -> gateway.get("/v1/jobs/" + id), answer -> answer.status() == 200
            && !answer.json().path("state").asText().equals("running"))
        .json();
  }
}
