package org.taskgrid.gateway.jobs.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.taskgrid.gateway.jobs.JobState;

/**
 * Every accepted job, its recorded part results and its end, in H2 or PostgreSQL: plain JDBC over
 * a HikariCP pool, the schema migrated by Flyway when the store opens.
 *
 * <p>Every call blocks on the database: run it on the store's own dispatcher
 * ({@link StoreSettings#DISPATCHER}), never on an actor's thread. Failures of the database come as
 * {@link StoreException}. Running jobs name their owner (a gateway's unique cluster address); the
 * owner's writes carry it and change nothing once another gateway has claimed the job.
 */
public final class JobStore implements AutoCloseable {

  /** H2's code for "Database may be already in use": another process has the file open. */
  private static final int H2_DATABASE_ALREADY_OPEN = 90020;
  /** Ids per IN list, well below PostgreSQL's 32 767 bind parameters per statement. */
  private static final int IN_LIST_CHUNK = 500;
  private static final String RUNNING = JobState.RUNNING.wireName();
  private static final String SUMMARY_COLUMNS =
      "id, task, mode, parts, state, done, failed, retried, created_at, finished_at, owner, cancel_requested, result_bytes";

  private final HikariDataSource pool;
  /** The pool, or a view of it that a test observes (it counts statements). */
  private final DataSource connections;

  private JobStore(HikariDataSource pool, DataSource connections) {
    this.pool = pool;
    this.connections = connections;
  }

  /**
   * Opens the pool and migrates the schema. Throws when the database cannot be reached or
   * refuses, with what to do; an embedded H2 file that another process has open is refused.
   */
  public static JobStore open(StoreSettings settings) {
    return open(settings, UnaryOperator.identity());
  }

  /** {@link #open(StoreSettings)} with the store's statements going through {@code observe(pool)}. */
  static JobStore open(StoreSettings settings, UnaryOperator<DataSource> observe) {
    if (!settings.enabled()) {
      throw new IllegalStateException("taskgrid.store.enabled is off: there is no store to open");
    }
    if (settings.embedded()) {
      createDataDir(settings.dataDir());
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("taskgrid-store");
    config.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setConnectionTimeout(Math.max(250, settings.connectionTimeout().toMillis()));
    if (settings.jdbcUrl().startsWith("jdbc:postgresql:")) {
      // A database host that vanishes without closing its connections must fail the calls, not
      // hold the store's threads forever.
      config.addDataSourceProperty("connectTimeout", Math.max(1, settings.connectionTimeout().toSeconds()));
      config.addDataSourceProperty("socketTimeout", Math.max(1, settings.socketTimeout().toSeconds()));
      config.addDataSourceProperty("tcpKeepAlive", true);
      config.addDataSourceProperty("ApplicationName", "taskgrid-gateway");
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw openFailure(settings, e);
    }
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw new StoreException("Migrating the job store at " + settings.jdbcUrl() + " failed: " + e.getMessage(), e);
    }
    return new JobStore(pool, observe.apply(pool));
  }

  private static void createDataDir(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StoreException(
          "Cannot create the data directory " + dataDir + " for the job store (taskgrid.store.data-dir, "
              + "TASKGRID_DATA_DIR): " + e, e);
    }
  }

  private static RuntimeException openFailure(StoreSettings settings, RuntimeException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_ALREADY_OPEN) {
        return new StoreException(
            "The job store " + (settings.embedded() ? settings.embeddedFile() : settings.jdbcUrl())
                + " is open in another process (another gateway on the same data directory?). "
                + "Stop it, give this gateway its own data directory (TASKGRID_DATA_DIR), or let "
                + "several gateways share PostgreSQL (TASKGRID_DB_URL).",
            failure);
      }
    }
    return new StoreException("Cannot open the job store at " + settings.jdbcUrl() + ": " + failure.getMessage(), failure);
  }

  /** Writes a job just accepted (running, owned by its gateway): before its 202 goes out. */
  public void create(StoredJob job) {
    if (job.state() != JobState.RUNNING || job.owner() == null || job.request() == null) {
      throw new IllegalArgumentException("a new job is running, has an owner and its request: " + job.id());
    }
    requireStorableText(job.request(), "request");
    inTransaction("creating job " + job.id(), connection -> {
      try (PreparedStatement insert = connection.prepareStatement(
              "insert into jobs (id, task, mode, parts, state, created_at, owner) values (?, ?, ?, ?, ?, ?, ?)");
          PreparedStatement texts =
              connection.prepareStatement("insert into job_texts (job_id, request) values (?, ?)")) {
        insert.setString(1, job.id());
        insert.setString(2, job.task());
        insert.setString(3, job.mode());
        insert.setInt(4, job.parts());
        insert.setString(5, RUNNING);
        insert.setObject(6, utc(job.createdAt()));
        insert.setString(7, job.owner());
        insert.executeUpdate();
        texts.setString(1, job.id());
        texts.setString(2, job.request());
        return texts.executeUpdate();
      }
    });
  }

  /** The job with its request, and its result and errors once finished. */
  public Optional<StoredJob> find(String id) {
    return withConnection("reading job " + id, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "select " + SUMMARY_COLUMNS + ", request, result, errors from jobs join job_texts on job_id = id "
              + "where id = ?")) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          return row.next() ? Optional.of(job(row, true)) : Optional.empty();
        }
      }
    });
  }

  /** Jobs newest first, in one state or all (null), without their request, result and errors. */
  public List<StoredJob> list(JobState stateOrNull, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, not " + limit);
    }
    String where = stateOrNull == null ? "" : " where state = ?";
    return withConnection("listing jobs", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "select " + SUMMARY_COLUMNS + " from jobs" + where + " order by created_at desc, id desc limit ?")) {
        int index = 1;
        if (stateOrNull != null) {
          select.setString(index++, stateOrNull.wireName());
        }
        select.setInt(index, limit);
        List<StoredJob> jobs = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            jobs.add(job(rows, false));
          }
        }
        return jobs;
      }
    });
  }

  /**
   * The recorded part results of a running job: part index to its result as JSON text. A part
   * recorded twice keeps its first result.
   */
  public Map<Integer, String> partResults(String id) {
    return withConnection("reading the part results of job " + id, connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "select results from part_chunks where job_id = ? order by id")) {
        select.setString(1, id);
        Map<Integer, String> results = new HashMap<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            PartChunk.read(rows.getString(1), results);
          }
        }
        return Collections.unmodifiableMap(results);
      }
    });
  }

  /**
   * Records part results and counters of many jobs in one transaction, for each job only while
   * its {@code owner} still owns it (and it runs). Three statements whatever the number of parts:
   * the counters of all jobs in one JDBC batch (which also takes their rows' locks, so a claim
   * waits until this commits), each job's new results as one chunk in one batch, then one read of
   * the answers.
   *
   * @return one answer per entry of {@code batch}, in its order
   */
  public List<FlushAnswer> record(List<JobProgress> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    // Every transaction locks job rows in the same order, so two flushes never deadlock.
    List<JobProgress> ordered = batch.stream().sorted(Comparator.comparing(JobProgress::jobId)).toList();
    Map<String, FlushAnswer> answers = inTransaction("recording part results of " + ordered.size() + " jobs",
        connection -> {
          boolean[] owned = fence(connection, ordered);
          insertChunks(connection, ordered, owned);
          return answers(connection, ordered, owned);
        });
    return batch.stream().map(progress -> answers.get(progress.jobId())).toList();
  }

  /** Sets each job's counters where its owner still runs it: which are still owned. */
  private static boolean[] fence(Connection connection, List<JobProgress> ordered) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "update jobs set done = ?, failed = ?, retried = ? where id = ? and owner = ? and state = ?")) {
      for (JobProgress progress : ordered) {
        update.setInt(1, progress.done());
        update.setInt(2, progress.failed());
        update.setInt(3, progress.retried());
        update.setString(4, progress.jobId());
        update.setString(5, progress.owner());
        update.setString(6, RUNNING);
        update.addBatch();
      }
      int[] counts = update.executeBatch();
      boolean[] owned = new boolean[ordered.size()];
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] == Statement.SUCCESS_NO_INFO) {
          throw new SQLException("the driver did not say which jobs are still owned (SUCCESS_NO_INFO)");
        }
        owned[i] = counts[i] > 0;
      }
      return owned;
    }
  }

  /** Writes the results of each owned job as one chunk, all in one batch. */
  private static void insertChunks(Connection connection, List<JobProgress> ordered, boolean[] owned)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("insert into part_chunks (job_id, results) values (?, ?)")) {
      boolean any = false;
      for (int i = 0; i < ordered.size(); i++) {
        JobProgress progress = ordered.get(i);
        if (owned[i] && !progress.results().isEmpty()) {
          insert.setString(1, progress.jobId());
          insert.setString(2, PartChunk.write(progress.results()));
          insert.addBatch();
          any = true;
        }
      }
      if (any) {
        insert.executeBatch();
      }
    }
  }

  private static Map<String, FlushAnswer> answers(Connection connection, List<JobProgress> ordered, boolean[] owned)
      throws SQLException {
    Map<String, Boolean> ownedById = new HashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      ownedById.merge(ordered.get(i).jobId(), owned[i], Boolean::logicalAnd);
    }
    Map<String, FlushAnswer> answers = new HashMap<>();
    List<String> ids = new ArrayList<>(ownedById.keySet());
    for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
      try (PreparedStatement select = connection.prepareStatement(
          "select id, done, cancel_requested from jobs where id in (" + placeholders(chunk.size()) + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          select.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            String id = rows.getString(1);
            answers.put(id, new FlushAnswer(id, ownedById.get(id), rows.getBoolean(3), rows.getInt(2)));
          }
        }
      }
    }
    // A job that is gone (pruned, or never written) is owned by nobody.
    for (String id : ids) {
      answers.putIfAbsent(id, new FlushAnswer(id, false, false, 0));
    }
    return answers;
  }

  /**
   * Writes a job's end, only while {@code owner} still owns it, and drops its part results (the
   * result holds them now). The job has no owner after this.
   *
   * @return false when {@code owner} no longer owns the job (or it is unknown or finished): nothing changed
   */
  public boolean finish(String id, String owner, JobEnd end) {
    return finishAll(owner, Map.of(id, end)).isEmpty();
  }

  /**
   * {@link #finish} for many jobs of one owner in one transaction: a gateway whose short jobs end
   * by the hundred per second pays one commit per flush for them, not one per job.
   *
   * @return the ids whose end was not written: {@code owner} no longer owns them
   */
  public Set<String> finishAll(String owner, Map<String, JobEnd> ends) {
    Objects.requireNonNull(owner, "owner");
    if (ends.isEmpty()) {
      return Set.of();
    }
    // Ordered by id, as record locks rows, so that the two never deadlock.
    List<String> ids = ends.keySet().stream().sorted().toList();
    return inTransaction("finishing " + ids.size() + " jobs", connection -> {
      Set<String> notOwned = new HashSet<>();
      try (PreparedStatement update = connection.prepareStatement(
              "update jobs set state = ?, done = ?, failed = ?, retried = ?, finished_at = ?, owner = null, "
                  + "result_bytes = ? where id = ? and owner = ? and state = ?");
          PreparedStatement texts =
              connection.prepareStatement("update job_texts set result = ?, errors = ? where job_id = ?");
          PreparedStatement delete = connection.prepareStatement("delete from part_chunks where job_id = ?")) {
        for (String id : ids) {
          JobEnd end = ends.get(id);
          update.setString(1, end.state().wireName());
          update.setInt(2, end.done());
          update.setInt(3, end.failed());
          update.setInt(4, end.retried());
          update.setObject(5, utc(end.finishedAt()));
          update.setLong(6, end.result() == null ? 0 : utf8Length(end.result()));
          update.setString(7, id);
          update.setString(8, owner);
          update.setString(9, RUNNING);
          update.addBatch();
        }
        int[] counts = update.executeBatch();
        for (int i = 0; i < ids.size(); i++) {
          if (counts[i] == Statement.SUCCESS_NO_INFO) {
            throw new SQLException("the driver did not say which jobs were finished (SUCCESS_NO_INFO)");
          }
          String id = ids.get(i);
          if (counts[i] == 0) {
            notOwned.add(id);
          } else {
            texts.setString(1, ends.get(id).result());
            texts.setString(2, ends.get(id).errors());
            texts.setString(3, id);
            texts.addBatch();
            delete.setString(1, id);
            delete.addBatch();
          }
        }
        if (notOwned.size() < ids.size()) {
          texts.executeBatch();
          delete.executeBatch();
        }
      }
      return notOwned;
    });
  }

  /**
   * Makes {@code newOwner} the owner of a running job that {@code oldOwner} owned: atomic, so of
   * several claimants exactly one wins, and every later write of the old owner is fenced off.
   *
   * @param oldOwner as {@link #orphans} said (null for a running job without an owner)
   * @return false when someone else won, or the job finished or is unknown
   */
  public boolean claim(String id, String oldOwner, String newOwner) {
    Objects.requireNonNull(newOwner, "newOwner");
    return withConnection("claiming job " + id, connection -> {
      try (PreparedStatement update = connection.prepareStatement(
          "update jobs set owner = ? where id = ? and state = ? and owner is not distinct from ?")) {
        update.setString(1, newOwner);
        update.setString(2, id);
        update.setString(3, RUNNING);
        update.setString(4, oldOwner);
        return update.executeUpdate() == 1;
      }
    });
  }

  /** Running jobs whose owner is none of {@code liveOwners} (or none at all), oldest first. */
  public List<Orphan> orphans(Set<String> liveOwners, int limit) {
    if (liveOwners.size() > IN_LIST_CHUNK * 20) {
      throw new IllegalArgumentException("too many live owners for one query: " + liveOwners.size());
    }
    List<String> owners = List.copyOf(liveOwners);
    String notLive = owners.isEmpty() ? "" : " and (owner is null or owner not in (" + placeholders(owners.size()) + "))";
    return withConnection("looking for orphaned jobs", connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "select id, owner from jobs where state = ?" + notLive + " "
              + "order by created_at, id limit ?")) {
        int index = 1;
        select.setString(index++, RUNNING);
        for (String owner : owners) {
          select.setString(index++, owner);
        }
        select.setInt(index, limit);
        List<Orphan> orphans = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            orphans.add(new Orphan(rows.getString(1), rows.getString(2)));
          }
        }
        return orphans;
      }
    });
  }

  /**
   * Asks whoever runs the job to cancel it: its owner sees it in the answer of its next flush.
   *
   * @return false when the job is unknown; true when it is known (nothing changes when finished)
   */
  public boolean requestCancel(String id) {
    return withConnection("requesting the cancellation of job " + id, connection -> {
      try (PreparedStatement update =
          connection.prepareStatement("update jobs set cancel_requested = true where id = ? and state = ?")) {
        update.setString(1, id);
        update.setString(2, RUNNING);
        if (update.executeUpdate() == 1) {
          return true;
        }
      }
      try (PreparedStatement select = connection.prepareStatement("select 1 from jobs where id = ?")) {
        select.setString(1, id);
        try (ResultSet row = select.executeQuery()) {
          return row.next();
        }
      }
    });
  }

  /**
   * Forgets finished jobs as JobManager does in memory: those finished before
   * {@code finishedBefore}, and beyond the newest {@code keepNewest}, and beyond
   * {@code keepResultBytes} of results counted from the newest. Running jobs are never touched.
   *
   * @return how many jobs were deleted
   */
  public int prune(Instant finishedBefore, int keepNewest, long keepResultBytes) {
    return withConnection("pruning finished jobs", connection -> {
      try (PreparedStatement delete = connection.prepareStatement(
          "delete from jobs where id in (select id from ("
              + " select id, finished_at,"
              + " row_number() over (order by finished_at desc, id desc) as newer,"
              + " sum(result_bytes) over (order by finished_at desc, id desc"
              + "   rows between unbounded preceding and current row) as kept_bytes"
              + " from jobs where state <> ?) finished"
              + " where finished_at < ? or newer > ? or kept_bytes > ?)")) {
        delete.setString(1, RUNNING);
        delete.setObject(2, utc(finishedBefore));
        delete.setInt(3, keepNewest);
        delete.setLong(4, keepResultBytes);
        return delete.executeUpdate();
      }
    });
  }

  /** Closes the pool (and with it an embedded database). */
  @Override
  public void close() {
    pool.close();
  }

  /**
   * Text the store can keep alike on both databases: PostgreSQL's text cannot hold U+0000 (JSON
   * text never does: it escapes it).
   */
  static void requireStorableText(String text, String what) {
    Objects.requireNonNull(text, what);
    if (text.indexOf('\u0000') >= 0) {
      throw new IllegalArgumentException(what + " holds a raw U+0000, which JSON text never does");
    }
  }

  private static StoredJob job(ResultSet row, boolean withTexts) throws SQLException {
    String state = row.getString("state");
    return new StoredJob(
        row.getString("id"),
        row.getString("task"),
        row.getString("mode"),
        withTexts ? row.getString("request") : null,
        row.getInt("parts"),
        JobState.fromWireName(state).orElseThrow(() -> new SQLException("unknown job state in the store: " + state)),
        row.getInt("done"),
        row.getInt("failed"),
        row.getInt("retried"),
        withTexts ? row.getString("result") : null,
        withTexts ? row.getString("errors") : null,
        instant(row.getObject("created_at", LocalDateTime.class)),
        instant(row.getObject("finished_at", LocalDateTime.class)),
        row.getString("owner"),
        row.getBoolean("cancel_requested"),
        row.getLong("result_bytes"));
  }

  /** Timestamps are kept as UTC without a zone, alike on both databases and whatever the JVM's zone. */
  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant instant(LocalDateTime utc) {
    return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
  }

  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  private static String placeholders(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private <T> T withConnection(String what, Work<T> work) {
    try (Connection connection = connections.getConnection()) {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException(what + " failed: " + e.getMessage(), e);
    }
  }

  private <T> T inTransaction(String what, Work<T> work) {
    return withConnection(what, connection -> {
      connection.setAutoCommit(false);
      try {
        T value = work.run(connection);
        connection.commit();
        return value;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailed) {
          e.addSuppressed(rollbackFailed);
        }
        throw e;
      }
    });
  }
}
