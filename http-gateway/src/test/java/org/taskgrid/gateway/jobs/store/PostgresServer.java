package org.taskgrid.gateway.jobs.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL for the tests of a class, from Debian's binaries: {@code initdb} into a fresh
 * temporary directory, {@code postgres} on a free port on 127.0.0.1 with its socket in that
 * directory, stopped ({@code pg_ctl stop -m immediate}) and deleted after the class, also when it
 * fails, and by a shutdown hook if the JVM ends first. As root it runs as the {@code postgres} OS
 * user (PostgreSQL refuses root). Without the binaries the tests fail and say how to install them:
 * never skipped.
 *
 * <p>Use: {@code @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();}
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {

  private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");
  private static final String OS_USER = "postgres";
  private static final long COMMAND_SECONDS = 120;
  /** pg_ctl's own bound on start and stop, below COMMAND_SECONDS. */
  private static final int PG_CTL_SECONDS = 60;
  private static final int START_ATTEMPTS = 3;

  private final String user = "taskgrid";
  private final String password = "pw-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
  private final AtomicInteger databases = new AtomicInteger();
  private Path bin;
  private boolean asPostgresUser;
  private Path dir;
  private int port;
  private Thread shutdownHook;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
    if (shutdownHook != null) {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** A new, empty database on the server: its JDBC URL. */
  public String createDatabase() throws SQLException {
    String name = "taskgrid_test_" + databases.incrementAndGet();
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
        Statement statement = connection.createStatement()) {
      statement.execute("create database " + name);
    }
    return jdbcUrl(name);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void start() throws IOException, InterruptedException {
    bin = binaries();
    asPostgresUser = isRoot();
    dir = Files.createTempDirectory("taskgrid-postgres-");
    shutdownHook = new Thread(this::stop, "stop-test-postgres");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      Path passwordFile = dir.resolve("password");
      Files.writeString(passwordFile, password + "\n");
      if (asPostgresUser) {
        giveToPostgresUser(dir);
      }
      run("initdb", "-D", data().toString(), "-U", user, "--pwfile=" + passwordFile, "--auth=scram-sha-256",
          "--encoding=UTF8", "--no-locale", "--no-sync");
      startOnFreePort();
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** A port found free may be taken before postgres binds it: a few tries, each on a new one. */
  private void startOnFreePort() throws IOException, InterruptedException {
    IllegalStateException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      port = freePort();
      // A test database: durability would only cost time.
      String options = "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir
          + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
      try {
        run("pg_ctl", "-D", data().toString(), "-l", dir.resolve("postgres.log").toString(), "-o", options,
            "-w", "-t", String.valueOf(PG_CTL_SECONDS), "start");
        return;
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw new IllegalStateException(
        "PostgreSQL did not start in " + START_ATTEMPTS + " tries; its log:\n" + logTail(), last);
  }

  /** Bounded: pg_ctl's immediate stop, then a kill of the postmaster if it is still there; the directory goes. */
  private synchronized void stop() {
    if (dir == null) {
      return;
    }
    try {
      if (Files.exists(data().resolve("postmaster.pid"))) {
        try {
          run("pg_ctl", "-D", data().toString(), "-m", "immediate", "-w", "-t", String.valueOf(PG_CTL_SECONDS), "stop");
        } catch (RuntimeException | IOException e) {
          killPostmaster();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killPostmaster();
    } finally {
      deleteRecursively(dir);
      dir = null;
    }
  }

  private void killPostmaster() {
    try {
      List<String> pidFile = Files.readAllLines(data().resolve("postmaster.pid"));
      long pid = Long.parseLong(pidFile.get(0).trim());
      ProcessHandle.of(pid).ifPresent(process -> {
        process.destroyForcibly();
        process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
      });
    } catch (IOException | RuntimeException e) {
      // Nothing left to kill, or the pid file is gone: the directory is deleted all the same.
    }
  }

  private Path data() {
    return dir.resolve("data");
  }

  /** Runs one of the server's binaries, bounded in time, as the postgres user when we are root. */
  private void run(String binary, String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (asPostgresUser) {
      command.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    command.add(bin.resolve(binary).toString());
    command.addAll(List.of(arguments));
    Path output = Files.createTempFile("taskgrid-postgres-" + binary + "-", ".out");
    try {
      Process process = new ProcessBuilder(command)
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(binary + " did not end within " + COMMAND_SECONDS + " s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(binary + " failed (exit " + process.exitValue() + "): " + command + "\n"
            + Files.readString(output, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The newest of Debian's installed versions, or a failure that says how to install one. */
  private static Path binaries() throws IOException {
    Optional<Path> newest = Optional.empty();
    if (Files.isDirectory(DEBIAN_VERSIONS)) {
      try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
        newest = versions
            .map(version -> version.resolve("bin"))
            .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))
                && Files.isExecutable(bin.resolve("postgres")))
            .max(Comparator.comparingInt(PostgresServer::majorVersion));
      }
    }
    return newest.orElseThrow(() -> new IllegalStateException(
        "These tests need a real PostgreSQL and found no server binaries under " + DEBIAN_VERSIONS
            + "/*/bin. Install Debian's package: apt-get install -y postgresql (as root, "
            + "http-gateway/ensure-postgresql.sh does it before the tests run under Maven)."));
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The JVM's user.name comes from its uid's entry in the user database. */
  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void giveToPostgresUser(Path root) throws IOException {
    UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal postgres;
    GroupPrincipal group;
    try {
      postgres = users.lookupPrincipalByName(OS_USER);
      group = users.lookupPrincipalByGroupName(OS_USER);
    } catch (IOException e) {
      throw new IllegalStateException("Running as root, the tests start PostgreSQL as the OS user '" + OS_USER
          + "', which does not exist (Debian's postgresql package creates it: apt-get install -y postgresql)", e);
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        PosixFileAttributeView attributes = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        attributes.setOwner(postgres);
        attributes.setGroup(group);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("postgres.log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete the test database directory " + root, e);
    }
  }
}
