package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for one test: Debian's binaries ({@code /usr/lib/postgresql/N/bin}),
 * a fresh cluster ({@code initdb}) in a temporary directory, {@code postgres} on a free port on
 * 127.0.0.1, a database {@code taskgrid} whose user {@code postgres} logs in without a password
 * (trust, loopback only). As root it runs as the {@code postgres} OS user, as PostgreSQL refuses
 * root. Missing binaries fail the test: nothing is skipped silently. {@link #close()} stops the
 * server (SIGKILL after a grace) and deletes its directory.
 */
final class PostgresProcess implements AutoCloseable {
  private static final Duration READY_WITHIN = Duration.ofSeconds(60);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  static final String DATABASE = "taskgrid";
  static final String USER = "postgres";

  private final Path dir;
  private final int port;
  private final NodeProcess server;

  private PostgresProcess(Path dir, int port, NodeProcess server) {
    this.dir = dir;
    this.port = port;
    this.server = server;
  }

  static PostgresProcess start(String name) throws InterruptedException {
    Path bin = binaries();
    Path dir;
    try {
      // Under /tmp: the postgres user must reach it, which a root-owned work tree may not allow.
      dir = Files.createTempDirectory("taskgrid-it-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    run(List.of("chown", "-R", USER + ":" + USER, dir.toString()), asRoot());
    run(asPostgres(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
        "-A", "trust", "-E", "UTF8", "--no-sync"), true);
    int port = FreePort.next();
    NodeProcess server =
        NodeProcess.start(
            name + "-postgres",
            asPostgres(bin.resolve("postgres").toString(), "-D", data.toString(), "-p",
                Integer.toString(port), "-h", "127.0.0.1", "-k", dir.toString(), "-F"),
            Map.of("TASKGRID_DATA_DIR", ""));
    PostgresProcess postgres = new PostgresProcess(dir, port, server);
    try {
      server.awaitLog("database system is ready to accept connections", READY_WITHIN);
      run(asPostgres(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
          Integer.toString(port), "-U", USER, DATABASE), true);
      return postgres;
    } catch (AssertionError | RuntimeException | InterruptedException e) {
      postgres.close();
      throw e;
    }
  }

  /** The JDBC URL of the database, for {@code TASKGRID_DB_URL}. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** What a gateway needs to use this database. */
  Map<String, String> gatewayEnv() {
    return Map.of(
        "TASKGRID_DB_URL", jdbcUrl(),
        "TASKGRID_DB_USER", USER,
        "TASKGRID_DB_PASSWORD", "");
  }

  String tail() {
    return server.tail();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      server.close();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // Only a temporary directory left behind.
      }
    }
  }

  private static Path binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(version -> version.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("postgres")))
          .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString())))
          .orElseThrow();
    } catch (IOException | RuntimeException e) {
      fail("PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/postgres): "
          + "apt-get install -y postgresql (" + e + ")");
      throw new AssertionError(e);
    }
  }

  private static boolean asRoot() {
    return System.getProperty("user.name").equals("root");
  }

  /** The command, as the postgres OS user when we are root. */
  private static List<String> asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if (asRoot()) {
      full.addAll(List.of("runuser", "-u", USER, "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  private static void run(List<String> command, boolean needed) throws InterruptedException {
    if (!needed) {
      return;
    }
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        fail(command + " did not end within " + COMMAND_TIMEOUT);
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        fail(command + " failed (" + process.exitValue() + "):\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
  }
}
