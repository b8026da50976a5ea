package org.taskgrid.gateway.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.taskgrid.core.metrics.NodeMetrics;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.jobs.store.JobStore;
import org.taskgrid.gateway.jobs.store.StoreSettings;
import org.taskgrid.gateway.jobs.store.StoredJob;

/**
 * The journal against a real job store (H2 in a temp dir, PostgreSQL in a subclass): part results
 * go in batches, never one write per part; the store's answers reach the coordinators (another
 * gateway owns the job now; a cancel was asked elsewhere). Coordinators are probes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JobJournalTest {
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final String ME = "akka://taskgrid@127.0.0.1:1#1";
  private static final int MAX_PARTS = 500;
  private static final int MAX_RETAINED = 3;
  /** One per test class (the H2 and the PostgreSQL one each have theirs). */
  private final ActorTestKit testKit = ActorTestKit.create("JobJournalTest");

  private JobStore store;
  private ActorRef<JobJournal.Command> journal;

  /** {@code taskgrid.store} settings of a fresh, empty database. */
  abstract Map<String, Object> freshStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    Config config =
        ConfigFactory.parseMap(Map.of("taskgrid.store", freshStore()))
            .withFallback(testKit.system().settings().config());
    store = JobStore.open(StoreSettings.fromConfig(config));
    journal =
        testKit.spawn(
            JobJournal.create(
                AsyncJobStore.on(testKit.system(), store),
                ME,
                new JobJournal.Settings(
                    Duration.ofMillis(50), MAX_PARTS, Duration.ofMillis(200), Duration.ofHours(1),
                    MAX_RETAINED, Long.MAX_VALUE)));
  }

  @AfterEach
  void close() {
    testKit.stop(journal);
    store.close();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void partResultsGoInBatchesAndTheEndAfterThem() throws Exception {
    int parts = 10_000;
    String id = createJob(parts);
    TestProbe<JobCoordinator.Command> coordinator = testKit.createTestProbe();
    journal.tell(new JobJournal.Track(id, coordinator.ref()));
    double flushesBefore = count("taskgrid.jobs.store.flushes");

    for (int part = 0; part < parts; part++) {
      journal.tell(
          new JobJournal.PartDone(id, part, JsonNodeFactory.instance.numberNode(part * 7), part + 1, 0, 0));
    }
    Await.atMost(PROMPTLY, "every part result recorded")
        .until(() -> store.partResults(id), recorded -> recorded.size() == parts);
    double flushes = count("taskgrid.jobs.store.flushes") - flushesBefore;
    // Some batches of MAX_PARTS, and whatever the flush interval caught meanwhile: far below a
    // write per part.
    assertTrue(flushes <= parts / 10.0, flushes + " flushes for " + parts + " parts");
    assertEquals("1393", store.partResults(id).get(199));

    JobView end =
        new JobView(
            id, "echo", "thread", JobState.SUCCEEDED, parts, parts, 0, 3,
            JsonNodeFactory.instance.textNode("merged"), List.of(), Instant.now().toString(),
            Instant.now().toString());
    journal.tell(new JobJournal.Finish(end));
    StoredJob finished =
        Await.atMost(PROMPTLY, "the job's end written")
            .until(() -> store.find(id).orElseThrow(), job -> job.state() == JobState.SUCCEEDED);
    assertEquals(parts, finished.done());
    assertEquals(3, finished.retried());
    assertEquals("\"merged\"", finished.result());
    coordinator.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aJobThatEndsBeforeItsResultsAreWrittenCostsNoWritePerPart() throws Exception {
    int parts = 20 * MAX_PARTS;
    String id = createJob(parts);
    double partsBefore = count("taskgrid.jobs.store.parts");
    for (int part = 0; part < parts; part++) {
      journal.tell(new JobJournal.PartDone(id, part, JsonNodeFactory.instance.numberNode(part), part + 1, 0, 0));
    }
    journal.tell(
        new JobJournal.Finish(
            new JobView(
                id, "echo", "thread", JobState.SUCCEEDED, parts, parts, 0, 0,
                JsonNodeFactory.instance.textNode("merged"), List.of(), Instant.now().toString(),
                Instant.now().toString())));
    StoredJob finished =
        Await.atMost(PROMPTLY, "the job's end written")
            .until(() -> store.find(id).orElseThrow(), job -> job.state() == JobState.SUCCEEDED);
    assertEquals(parts, finished.done());
    assertEquals("\"merged\"", finished.result());
    // At most the batches that filled up before the end arrived; the rest were never written.
    double written = count("taskgrid.jobs.store.parts") - partsBefore;
    assertTrue(written < parts, written + " part results written for a job that had ended");
  }

  @Test
  void aCoordinatorHearsThatAnotherGatewayOwnsItsJob() {
    String id = createJob(10);
    assertTrue(store.claim(id, ME, "akka://taskgrid@127.0.0.1:2#2"));
    TestProbe<JobCoordinator.Command> coordinator = testKit.createTestProbe();
    journal.tell(new JobJournal.Track(id, coordinator.ref()));
    journal.tell(new JobJournal.PartDone(id, 0, JsonNodeFactory.instance.textNode("late"), 1, 0, 0));

    coordinator.expectMessage(PROMPTLY, JobCoordinator.OwnershipLost.INSTANCE);
    assertTrue(store.partResults(id).isEmpty(), "a fenced-off result is not written");
  }

  @Test
  void aCoordinatorWithNothingToWriteHearsOfACancelAskedElsewhere() {
    String id = createJob(10);
    TestProbe<JobCoordinator.Command> coordinator = testKit.createTestProbe();
    journal.tell(new JobJournal.Track(id, coordinator.ref()));
    assertTrue(store.requestCancel(id));

    coordinator.expectMessage(PROMPTLY, JobCoordinator.Cancel.INSTANCE);
  }

  @Test
  void endingJobsPruneTheStoreAsRetentionSays() throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < MAX_RETAINED + 2; i++) {
      String id = createJob(1);
      ids.add(id);
      journal.tell(new JobJournal.Track(id, testKit.<JobCoordinator.Command>createTestProbe().ref()));
      Instant end = Instant.now();
      journal.tell(
          new JobJournal.Finish(
              new JobView(
                  id, "echo", "thread", JobState.SUCCEEDED, 1, 1, 0, 0,
                  JsonNodeFactory.instance.numberNode(i), List.of(), end.toString(), end.toString())));
      Await.atMost(PROMPTLY, "job " + i + " ended in the store")
          .until(() -> store.find(id).map(StoredJob::state).orElse(JobState.RUNNING), JobState::finished);
    }
    Await.atMost(PROMPTLY, "the oldest two forgotten")
        .until(() -> store.find(ids.get(0)).isEmpty() && store.find(ids.get(1)).isEmpty());
    for (String kept : ids.subList(2, ids.size())) {
      assertTrue(store.find(kept).isPresent(), "the newest " + MAX_RETAINED + " are kept");
    }
  }

  private String createJob(int parts) {
    String id = UUID.randomUUID().toString();
    store.create(StoredJob.accepted(id, "echo", "thread", "{}", parts, Instant.now(), ME));
    return id;
  }

  private double count(String counter) {
    Counter found = NodeMetrics.get(testKit.system()).registry().find(counter).counter();
    return found == null ? 0 : found.count();
  }
}
