package org.taskgrid.gateway.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.taskgrid.gateway.jobs.JobState;

/**
 * What {@link JobStore} promises, the same on every database: each subclass gives a fresh, empty
 * database per test.
 */
abstract class JobStoreContractTest {

  static final String GATEWAY_A = "akka://taskgrid@127.0.0.1:25520#-83426511";
  static final String GATEWAY_B = "akka://taskgrid@127.0.0.1:25521#1234567";
  static final String GATEWAY_C = "akka://taskgrid@127.0.0.1:25522#42";
  static final Instant T0 = Instant.parse("2026-12-02T12:00:00.123456Z");

  final StatementCounter counter = new StatementCounter();
  JobStore store;
  StoreSettings settings;

  /** {@code taskgrid.store} keys for a fresh, empty database. */
  abstract Map<String, Object> freshDatabase() throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    settings = settings(freshDatabase());
    store = JobStore.open(settings, counter::observe);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  static StoreSettings settings(Map<String, Object> store) {
    Map<String, Object> keys = new HashMap<>();
    store.forEach((key, value) -> keys.put("taskgrid.store." + key, value));
    return StoreSettings.fromConfig(ConfigFactory.parseMap(keys).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  static StoredJob job(String id, String owner, Instant createdAt) {
    return StoredJob.accepted(id, "echo", "thread", "{\"task\":\"echo\",\"inputs\":[1,2,3]}", 3, createdAt, owner);
  }

  static JobProgress progress(String id, String owner, int... parts) {
    Map<Integer, String> results = new HashMap<>();
    for (int part : parts) {
      results.put(part, "{\"part\":" + part + "}");
    }
    return new JobProgress(id, owner, results, parts.length, 0, 0);
  }

  /** Counters only: no new part result since the last flush. */
  static JobProgress counters(String id, String owner, int done) {
    return new JobProgress(id, owner, Map.of(), done, 0, 0);
  }

  static JobEnd succeeded(int done, String result, Instant at) {
    return new JobEnd(JobState.SUCCEEDED, done, 0, 0, result, null, at);
  }

  @Test
  void aCreatedJobIsFoundAndListedNewestFirst() {
    store.create(job("j1", GATEWAY_A, T0));
    store.create(job("j2", GATEWAY_A, T0.plusSeconds(1)));
    store.create(job("j3", GATEWAY_B, T0.plusSeconds(2)));
    store.finish("j2", GATEWAY_A, succeeded(3, "[1,2,3]", T0.plusSeconds(5)));

    StoredJob found = store.find("j1").orElseThrow();
    assertEquals(job("j1", GATEWAY_A, T0), found);
    assertEquals(T0, found.createdAt(), "kept to the microsecond, in UTC");
    assertTrue(store.find("nope").isEmpty());

    List<StoredJob> all = store.list(null, 10);
    assertEquals(List.of("j3", "j2", "j1"), all.stream().map(StoredJob::id).toList());
    assertNull(all.get(1).result(), "listings leave out the large texts");
    assertNull(all.get(1).request());
    assertEquals(JobState.SUCCEEDED, all.get(1).state());
    assertEquals(List.of("j3", "j1"), store.list(JobState.RUNNING, 10).stream().map(StoredJob::id).toList());
    assertEquals(List.of("j3"), store.list(null, 1).stream().map(StoredJob::id).toList());
    assertEquals(List.of(), store.list(JobState.CANCELLED, 10));

    assertThrows(StoreException.class, () -> store.create(job("j1", GATEWAY_B, T0)), "an id is written once");
  }

  @Test
  void aPartRecordedTwiceKeepsItsFirstResult() {
    store.create(job("j", GATEWAY_A, T0));
    List<FlushAnswer> first = store.record(List.of(progress("j", GATEWAY_A, 0, 1)));
    assertEquals(List.of(new FlushAnswer("j", true, false, 2)), first);

    // Part 1 again (a retried part whose first answer was recorded), in the same flush as part 2
    // and once more in a second entry for the same job.
    List<FlushAnswer> second = store.record(List.of(
        new JobProgress("j", GATEWAY_A, Map.of(1, "\"other\"", 2, "{\"part\":2}"), 3, 1, 4),
        new JobProgress("j", GATEWAY_A, Map.of(2, "{\"part\":2}"), 3, 1, 4)));
    assertEquals(List.of(new FlushAnswer("j", true, false, 3), new FlushAnswer("j", true, false, 3)), second);

    StoredJob stored = store.find("j").orElseThrow();
    assertEquals(3, stored.done());
    assertEquals(1, stored.failed(), "counters as they stand, not increments");
    assertEquals(4, stored.retried());
    assertEquals(Map.of(0, "{\"part\":0}", 1, "{\"part\":1}", 2, "{\"part\":2}"), store.partResults("j"),
        "the first result of a part stays");
  }

  @Test
  void oneFlushRecordsManyJobsAndAnswersEach() {
    store.create(job("a", GATEWAY_A, T0));
    store.create(job("b", GATEWAY_A, T0));
    store.create(job("c", GATEWAY_B, T0));
    assertTrue(store.requestCancel("b"));

    List<FlushAnswer> answers = store.record(List.of(
        progress("c", GATEWAY_A, 0), progress("b", GATEWAY_A, 0, 1, 2), progress("a", GATEWAY_A, 1),
        progress("unknown", GATEWAY_A, 0)));

    assertEquals(List.of(
        new FlushAnswer("c", false, false, 0),
        new FlushAnswer("b", true, true, 3),
        new FlushAnswer("a", true, false, 1),
        new FlushAnswer("unknown", false, false, 0)), answers, "in the order asked");
    assertEquals(Map.of(), store.partResults("c"));
    assertTrue(store.find("unknown").isEmpty());
  }

  @Test
  void aWriteByAnOwnerThatLostTheJobChangesNothing() {
    store.create(job("j", GATEWAY_A, T0));
    store.record(List.of(new JobProgress("j", GATEWAY_A, Map.of(0, "0"), 1, 0, 1)));

    assertEquals(List.of(new FlushAnswer("j", false, false, 1)),
        store.record(List.of(new JobProgress("j", GATEWAY_B, Map.of(1, "1"), 2, 5, 5))));
    assertFalse(store.finish("j", GATEWAY_B, succeeded(3, "[]", T0)));
    StoredJob unchanged = store.find("j").orElseThrow();
    assertEquals(List.of(JobState.RUNNING, GATEWAY_A, 1, 0, 1),
        List.of(unchanged.state(), unchanged.owner(), unchanged.done(), unchanged.failed(), unchanged.retried()));

    assertTrue(store.claim("j", GATEWAY_A, GATEWAY_B));
    assertEquals(List.of(new FlushAnswer("j", false, false, 1)),
        store.record(List.of(new JobProgress("j", GATEWAY_A, Map.of(2, "2"), 2, 0, 9))), "the old owner is fenced off");
    assertFalse(store.finish("j", GATEWAY_A, succeeded(3, "[]", T0)));
    assertEquals(Map.of(0, "0"), store.partResults("j"));
    assertEquals(List.of(new FlushAnswer("j", true, false, 2)),
        store.record(List.of(new JobProgress("j", GATEWAY_B, Map.of(1, "1"), 2, 0, 2))));
    assertEquals(GATEWAY_B, store.find("j").orElseThrow().owner());
  }

  @Test
  void ofTwoClaimantsExactlyOneWins() throws Exception {
    int jobs = 20;
    for (int i = 0; i < jobs; i++) {
      store.create(job("j" + i, GATEWAY_A, T0));
    }
    // Two gateways, each with its own pool on the same database.
    ExecutorService claimants = Executors.newFixedThreadPool(2);
    try (JobStore otherGateway = JobStore.open(settings)) {
      for (int i = 0; i < jobs; i++) {
        String id = "j" + i;
        CountDownLatch ready = new CountDownLatch(2);
        Future<Boolean> b = claimants.submit(claimAtOnce(store, ready, id, GATEWAY_B));
        Future<Boolean> c = claimants.submit(claimAtOnce(otherGateway, ready, id, GATEWAY_C));
        boolean bWon = b.get(30, TimeUnit.SECONDS);
        boolean cWon = c.get(30, TimeUnit.SECONDS);
        assertTrue(bWon ^ cWon, "exactly one of two claimants wins " + id + ": " + bWon + ", " + cWon);
        assertEquals(bWon ? GATEWAY_B : GATEWAY_C, store.find(id).orElseThrow().owner());
      }
    } finally {
      claimants.shutdownNow();
      assertTrue(claimants.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertFalse(store.claim("j0", GATEWAY_A, GATEWAY_C), "a claim names the owner it takes over from");
    assertFalse(store.claim("nope", GATEWAY_A, GATEWAY_B));
    String winner = store.find("j1").orElseThrow().owner();
    store.finish("j1", winner, succeeded(3, "[]", T0));
    assertFalse(store.claim("j1", null, GATEWAY_A), "a finished job is nobody's to claim");
  }

  private static Callable<Boolean> claimAtOnce(JobStore gateway, CountDownLatch ready, String id, String claimant) {
    return () -> {
      ready.countDown();
      ready.await(30, TimeUnit.SECONDS);
      return gateway.claim(id, GATEWAY_A, claimant);
    };
  }

  @Test
  void orphansAreRunningJobsOfOwnersNotLive() {
    store.create(job("a1", GATEWAY_A, T0));
    store.create(job("b1", GATEWAY_B, T0.plusSeconds(1)));
    store.create(job("c1", GATEWAY_C, T0.plusSeconds(2)));
    store.create(job("b2", GATEWAY_B, T0.plusSeconds(3)));
    store.create(job("b3", GATEWAY_B, T0.plusSeconds(4)));
    store.finish("b3", GATEWAY_B, succeeded(3, "[]", T0.plusSeconds(5)));

    assertEquals(List.of(new Orphan("b1", GATEWAY_B), new Orphan("c1", GATEWAY_C), new Orphan("b2", GATEWAY_B)),
        store.orphans(Set.of(GATEWAY_A), 10), "oldest first, never a finished job");
    assertEquals(List.of(new Orphan("b1", GATEWAY_B)), store.orphans(Set.of(GATEWAY_A), 1));
    assertEquals(List.of(new Orphan("b1", GATEWAY_B), new Orphan("b2", GATEWAY_B)),
        store.orphans(Set.of(GATEWAY_A, GATEWAY_C), 10));
    assertEquals(List.of(), store.orphans(Set.of(GATEWAY_A, GATEWAY_B, GATEWAY_C), 10));
    assertEquals(4, store.orphans(Set.of(), 10).size(), "with no live gateway every running job is orphaned");

    assertTrue(store.claim("b1", GATEWAY_B, GATEWAY_A));
    assertEquals(List.of(new Orphan("c1", GATEWAY_C), new Orphan("b2", GATEWAY_B)), store.orphans(Set.of(GATEWAY_A), 10));
  }

  @Test
  void aCancelRequestIsSeenByTheNextFlush() {
    assertFalse(store.requestCancel("nope"), "unknown");
    store.create(job("j", GATEWAY_A, T0));
    assertEquals(List.of(new FlushAnswer("j", true, false, 1)), store.record(List.of(progress("j", GATEWAY_A, 0))));

    assertTrue(store.requestCancel("j"));
    assertTrue(store.requestCancel("j"), "asked twice, still known");
    assertEquals(List.of(new FlushAnswer("j", true, true, 1)), store.record(List.of(counters("j", GATEWAY_A, 1))));
    assertTrue(store.find("j").orElseThrow().cancelRequested());

    assertTrue(store.claim("j", GATEWAY_A, GATEWAY_B));
    assertEquals(List.of(new FlushAnswer("j", true, true, 1)), store.record(List.of(counters("j", GATEWAY_B, 1))),
        "a resumed job is still to be cancelled");

    store.create(job("done", GATEWAY_A, T0));
    store.finish("done", GATEWAY_A, succeeded(3, "[]", T0));
    assertTrue(store.requestCancel("done"), "known, though finished");
    assertFalse(store.find("done").orElseThrow().cancelRequested(), "a finished job is left as it ended");
  }

  @Test
  void finishWritesTheEndAndDropsThePartResults() {
    store.create(job("j", GATEWAY_A, T0));
    store.record(List.of(progress("j", GATEWAY_A, 0, 1)));
    Instant end = T0.plusMillis(1500);
    String errors = "[{\"part\":2,\"code\":\"task_failed\",\"message\":\"boom\"}]";

    assertTrue(store.finish("j", GATEWAY_A, new JobEnd(JobState.FAILED, 2, 1, 3, null, errors, end)));

    StoredJob stored = store.find("j").orElseThrow();
    assertEquals(JobState.FAILED, stored.state());
    assertEquals(2, stored.done());
    assertEquals(1, stored.failed());
    assertEquals(3, stored.retried());
    assertNull(stored.result());
    assertEquals(errors, stored.errors());
    assertEquals(end, stored.finishedAt());
    assertNull(stored.owner(), "nobody owns a finished job");
    assertEquals(Map.of(), store.partResults("j"), "its result holds the parts now");
    assertFalse(store.finish("j", GATEWAY_A, succeeded(3, "[]", end)), "a job ends once");
    assertEquals(List.of(new FlushAnswer("j", false, false, 2)), store.record(List.of(progress("j", GATEWAY_A, 2))),
        "a late flush after the end is fenced off");

    store.create(job("ok", GATEWAY_B, T0));
    assertTrue(store.finish("ok", GATEWAY_B, succeeded(3, "[\"é\",1,2]", end)));
    assertEquals("[\"é\",1,2]", store.find("ok").orElseThrow().result());
    assertEquals(10, store.find("ok").orElseThrow().resultBytes(), "bytes as UTF-8: nine characters, one of two bytes");
    assertThrows(IllegalArgumentException.class, () -> new JobEnd(JobState.RUNNING, 0, 0, 0, null, null, end));
  }

  @Test
  void manyJobsEndInOneTransactionEachOnlyWhereItsOwnerStillOwnsIt() {
    for (String id : List.of("a", "b", "c")) {
      store.create(job(id, GATEWAY_A, T0));
      store.record(List.of(progress(id, GATEWAY_A, 0)));
    }
    assertTrue(store.claim("b", GATEWAY_A, GATEWAY_B));
    long before = counter.executions();

    Set<String> notWritten = store.finishAll(GATEWAY_A, Map.of(
        "a", succeeded(3, "[1]", T0), "b", succeeded(3, "[2]", T0), "c", succeeded(3, "[3]", T0),
        "unknown", succeeded(3, "[4]", T0)));

    assertEquals(Set.of("b", "unknown"), notWritten);
    assertEquals(3L, counter.executions() - before, "one batch of each: ends, texts, deleted chunks");
    assertEquals("[1]", store.find("a").orElseThrow().result());
    assertEquals("[3]", store.find("c").orElseThrow().result());
    assertEquals(Map.of(), store.partResults("a"));
    StoredJob claimed = store.find("b").orElseThrow();
    assertEquals(List.of(JobState.RUNNING, GATEWAY_B), List.of(claimed.state(), claimed.owner()));
    assertEquals(Map.of(0, "{\"part\":0}"), store.partResults("b"), "the new owner's results stay");
    assertEquals(Set.of(), store.finishAll(GATEWAY_A, Map.of()));
  }

  @Test
  void pruneForgetsFinishedJobsByAgeCountAndSize() {
    for (int i = 0; i < 6; i++) {
      store.create(job("f" + i, GATEWAY_A, T0));
      store.finish("f" + i, GATEWAY_A, succeeded(3, "x".repeat(100), T0.plusSeconds(i)));
    }
    store.create(job("running", GATEWAY_A, T0.minusSeconds(3600)));
    store.record(List.of(progress("running", GATEWAY_A, 0)));

    assertEquals(2, store.prune(T0.plusSeconds(2), 100, Long.MAX_VALUE), "finished before the cut");
    assertEquals(List.of("f5", "f4", "f3", "f2", "running"), ids(store.list(null, 10)));
    assertEquals(1, store.prune(T0, 3, Long.MAX_VALUE), "beyond the newest three");
    assertEquals(1, store.prune(T0, 100, 250), "beyond 250 bytes of results, counted from the newest");
    assertEquals(List.of("f5", "f4"), ids(store.list(JobState.SUCCEEDED, 10)));
    assertEquals(2, store.prune(T0.plusSeconds(3600), 0, 0), "every finished job at last");
    assertEquals(List.of("running"), ids(store.list(null, 10)), "a running job is never pruned");
    assertEquals(Map.of(0, "{\"part\":0}"), store.partResults("running"));
  }

  private static List<String> ids(List<StoredJob> jobs) {
    return jobs.stream().map(StoredJob::id).toList();
  }

  @Test
  void aHundredThousandPartsCostAFewStatementsPerFlushNotOnePerPart() {
    int parts = 100_000;
    int batchSize = 2_000;
    store.create(StoredJob.accepted("big", "echo", "thread", "{}", parts, T0, GATEWAY_A));
    long before = counter.executions();
    int batches = 0;
    for (int from = 0; from < parts; from += batchSize) {
      Map<Integer, String> results = new HashMap<>();
      for (int part = from; part < from + batchSize; part++) {
        results.put(part, "{\"n\":" + part + "}");
      }
      List<FlushAnswer> answers =
          store.record(List.of(new JobProgress("big", GATEWAY_A, results, from + batchSize, 0, 0)));
      assertEquals(from + batchSize, answers.get(0).done());
      batches++;
    }
    long statements = counter.executions() - before;
    // fence, insert, answer: three per flush, whatever its size.
    assertEquals(3L * batches, statements, "statements for " + parts + " parts in " + batches + " flushes");
    assertEquals(parts, store.find("big").orElseThrow().done());
    Map<Integer, String> recorded = store.partResults("big");
    assertEquals(parts, recorded.size());
    assertEquals("{\"n\":99999}", recorded.get(99_999));

    // Every part again (a flush that was written, though its writer heard it failed): the first
    // results stay.
    Map<Integer, String> again = new HashMap<>();
    IntStream.range(0, parts).forEach(part -> again.put(part, "\"again\""));
    assertEquals(parts, store.record(List.of(new JobProgress("big", GATEWAY_A, again, parts, 0, 0))).get(0).done());
    assertEquals("{\"n\":99999}", store.partResults("big").get(99_999));
  }

  @Test
  void hostileTextComesBackExactly() {
    String unicode = "[\"日本語\",\"עברית\",\"emoji 😀🧪\",\"e\u0301\",\"quote ' \\\" ; drop table jobs; --\",\"\\u0000\"]";
    StoredJob job = StoredJob.accepted("u", "echo", "async", "{\"inputs\":" + unicode + "}", 2, T0, GATEWAY_A);
    store.create(job);
    String bigPart = "\"" + "ü".repeat(1 << 20) + "\"";
    String lines = "[\"line\\nbreak\",\r\n 2]";
    store.record(List.of(new JobProgress("u", GATEWAY_A, Map.of(0, unicode, 1, bigPart, 2, lines), 3, 0, 0)));
    assertEquals(Map.of(0, unicode, 1, bigPart, 2, "[\"line\\nbreak\",\r  2]"), store.partResults("u"),
        "a line break between JSON tokens is whitespace: it comes back as a space");
    assertEquals(job.request(), store.find("u").orElseThrow().request());

    // A result as large as taskgrid.jobs.max-result-size allows (8 MiB).
    String result = "[" + "\"0123456789abcdef\",".repeat((8 << 20) / 19) + "\"🧪\"]";
    assertTrue(store.finish("u", GATEWAY_A, succeeded(2, result, T0)));
    StoredJob finished = store.find("u").orElseThrow();
    assertEquals(result, finished.result());
    assertEquals(result.length() + 2, finished.resultBytes());

    assertThrows(IllegalArgumentException.class,
        () -> new JobProgress("u", GATEWAY_A, Map.of(0, "\"a\u0000b\""), 1, 0, 0), "a raw NUL is never JSON text");
    assertThrows(IllegalArgumentException.class, () -> store.create(
        StoredJob.accepted("nul", "echo", "async", "\u0000", 1, T0, GATEWAY_A)));
  }

  @Test
  void whatVersion1RecordedSurvivesTheLaterMigrations() throws Exception {
    StoreSettings older = settings(freshDatabase());
    Flyway.configure()
        .dataSource(older.jdbcUrl(), older.user(), older.password())
        .locations("classpath:db/migration")
        .target("1")
        .load()
        .migrate();
    try (Connection connection = DriverManager.getConnection(older.jdbcUrl(), older.user(), older.password());
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("insert into jobs (id, task, mode, request, parts, state, done, created_at, owner) "
          + "values ('old', 'echo', 'thread', '{}', 3, 'running', 2, timestamp '2026-12-01 00:00:00', 'gone')");
      statement.executeUpdate(
          "insert into part_results (job_id, part, result) values ('old', 0, '{\"a\":1}'), ('old', 2, '\"x y\"')");
    }

    try (JobStore migrated = JobStore.open(older)) {
      assertEquals("{}", migrated.find("old").orElseThrow().request(), "the request moved to job_texts");
      assertEquals(Map.of(0, "{\"a\":1}", 2, "\"x y\""), migrated.partResults("old"), "results moved to chunks");
      assertTrue(migrated.claim("old", "gone", GATEWAY_A));
      migrated.record(List.of(new JobProgress("old", GATEWAY_A, Map.of(1, "[]"), 3, 0, 1)));
      assertEquals(Map.of(0, "{\"a\":1}", 1, "[]", 2, "\"x y\""), migrated.partResults("old"));
      assertTrue(migrated.finish("old", GATEWAY_A, succeeded(3, "[0,1,2]", T0)));
      assertEquals(Map.of(), migrated.partResults("old"));
      assertEquals("[0,1,2]", migrated.find("old").orElseThrow().result());
    }
  }

  @Test
  void whatWasWrittenIsThereAfterReopening() {
    store.create(job("j", GATEWAY_A, T0));
    store.record(List.of(progress("j", GATEWAY_A, 0, 2)));
    store.close();

    store = JobStore.open(settings);
    assertEquals(Map.of(0, "{\"part\":0}", 2, "{\"part\":2}"), store.partResults("j"));
    assertEquals(2, store.find("j").orElseThrow().done());
  }
}
