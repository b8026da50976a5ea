package org.taskgrid.gateway.jobs.store;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code taskgrid.store} section of the config, read once.
 *
 * @param enabled off: jobs live in memory only, as before the store
 * @param jdbcUrl the database to open, with the flags taskgrid needs (H2: {@code MODE=PostgreSQL})
 * @param user null: the driver's default
 * @param dataDir absolute; where the embedded H2 file lives when no URL is given
 * @param embedded the H2 file under {@code dataDir} (no URL was given): its directory is created
 * @param poolSize connections, and threads of {@link #DISPATCHER}
 * @param connectionTimeout how long a call waits for a connection
 * @param socketTimeout PostgreSQL: how long a call waits for the server's answer before it fails
 * @param flushInterval part results are written at least this often
 * @param flushMaxParts and sooner when this many wait
 * @param recoveryInterval how often a gateway looks for jobs to resume
 */
public record StoreSettings(
    boolean enabled,
    String jdbcUrl,
    String user,
    String password,
    Path dataDir,
    boolean embedded,
    int poolSize,
    Duration connectionTimeout,
    Duration socketTimeout,
    Duration flushInterval,
    int flushMaxParts,
    Duration recoveryInterval) {

  /** The dispatcher the store's blocking calls run on (DispatcherSelector.fromConfig). */
  public static final String DISPATCHER = "taskgrid.store.dispatcher";

  /** The file name of the embedded database in data-dir (H2 adds {@code .mv.db}). */
  static final String EMBEDDED_NAME = "jobs";

  public StoreSettings {
    if (poolSize < 1 || flushMaxParts < 1) {
      throw new IllegalArgumentException("taskgrid.store: pool-size and flush-max-parts must be >= 1");
    }
    for (Duration duration : new Duration[] {connectionTimeout, socketTimeout, flushInterval, recoveryInterval}) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("taskgrid.store: every duration must be positive, not " + duration);
      }
    }
    if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "taskgrid.store.url (TASKGRID_DB_URL) must be a jdbc:postgresql: or jdbc:h2: URL, not '" + jdbcUrl + "'");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
  }

  public static StoreSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.store");
    Path dataDir = Path.of(config.getString("data-dir")).toAbsolutePath().normalize();
    String url = config.getString("url").trim();
    boolean embedded = url.isEmpty();
    String jdbcUrl = embedded ? embeddedUrl(dataDir) : withH2Flags(url);
    String user = config.getString("user");
    if (user.isEmpty()) {
      user = jdbcUrl.startsWith("jdbc:h2:") ? "sa" : null;
    }
    return new StoreSettings(
        config.getBoolean("enabled"),
        jdbcUrl,
        user,
        config.getString("password"),
        dataDir,
        embedded,
        config.getInt("pool-size"),
        config.getDuration("connection-timeout"),
        config.getDuration("socket-timeout"),
        config.getDuration("flush-interval"),
        config.getInt("flush-max-parts"),
        config.getDuration("recovery-interval"));
  }

  /**
   * H2 in a file under data-dir. H2 refuses paths that are only implicitly relative, hence
   * absolute. DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook must not close the database while
   * Coordinated Shutdown still writes the last results; the store closes it. No AUTO_SERVER: it
   * would serve the file over TCP without a password to whoever finds the port; several gateways
   * share PostgreSQL instead. WRITE_DELAY=0: H2 otherwise writes commits to the file up to half a
   * second later, so a SIGKILL lost jobs whose 202 had gone out (measured: 17 of 20 committed rows
   * gone after a halt 100 ms after their commits; none with 0).
   */
  static String embeddedUrl(Path dataDir) {
    String path = dataDir.resolve(EMBEDDED_NAME).toString();
    if (path.contains(";")) {
      throw new IllegalArgumentException("taskgrid.store.data-dir must not contain ';': " + dataDir);
    }
    return "jdbc:h2:file:" + path + ";MODE=PostgreSQL;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
  }

  /**
   * An H2 URL given in taskgrid.store.url gets the same flags where it names none: MODE=PostgreSQL
   * (one SQL for both databases: ON CONFLICT DO NOTHING), and WRITE_DELAY=0 for a file (see
   * {@link #embeddedUrl}; seen here too: an empty database after a SIGKILL right after commits).
   */
  static String withH2Flags(String url) {
    if (!url.startsWith("jdbc:h2:")) {
      return url;
    }
    String upper = url.toUpperCase(Locale.ROOT);
    String flagged = url;
    if (!upper.contains(";MODE=")) {
      flagged += ";MODE=PostgreSQL";
    }
    if (upper.startsWith("JDBC:H2:FILE:") && !upper.contains(";WRITE_DELAY=")) {
      flagged += ";WRITE_DELAY=0";
    }
    return flagged;
  }

  /** The embedded file on disk, for messages and backups. */
  public Path embeddedFile() {
    return dataDir.resolve(EMBEDDED_NAME + ".mv.db");
  }

  /** Never the password, nor one written in the URL. */
  @Override
  public String toString() {
    String url = jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    return "StoreSettings[enabled=" + enabled + ", url=" + url + ", user=" + user
        + ", password=" + (password.isEmpty() ? "" : "***") + ", dataDir=" + dataDir + ", poolSize=" + poolSize
        + ", flushInterval=" + flushInterval + ", flushMaxParts=" + flushMaxParts
        + ", recoveryInterval=" + recoveryInterval + "]";
  }
}
