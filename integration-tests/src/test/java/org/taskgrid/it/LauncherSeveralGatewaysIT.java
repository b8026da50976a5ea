package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/taskgrid cluster --gateways 2}, with no {@code TASKGRID_DB_URL}: the launcher runs a
 * PostgreSQL of its own (Debian's binaries) that both gateways share, so a job accepted by one is
 * served by the other, and SIGTERM to the launcher leaves no JVM and no PostgreSQL behind.
 */
class LauncherSeveralGatewaysIT {
  private static final String REBUILD_MARKER = "FAKE-MVN: bin/taskgrid tried to rebuild";
  private static final Duration STOP_WITHIN = Duration.ofSeconds(90);
  private static final Duration JOB_WITHIN = Duration.ofSeconds(120);
  private static final int ATTEMPTS = 20;

  @TempDir Path tmp;

  /**
   * The launcher's PostgreSQL folder: under /tmp, in a folder open to others, since as root the
   * server runs as the OS user postgres, which must reach it (a JUnit temp dir is its owner's only).
   */
  private Path pgRoot;

  private Path pgDir;

  @BeforeEach
  void makePgRoot() throws IOException {
    pgRoot = Files.createTempDirectory("taskgrid-it-launcher-pg-");
    Files.setPosixFilePermissions(pgRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
    pgDir = pgRoot.resolve("postgres");
  }

  /** Kills a server the launcher failed to stop (the test has failed then), and deletes its files. */
  @AfterEach
  void removePostgres() {
    postmasterPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
    try (Stream<Path> files = Files.walk(pgRoot)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Only a temporary directory left behind.
    }
  }

  @Test
  void twoGatewaysShareJobsThroughTheLaunchersPostgresAndSigtermStopsEverything() throws Exception {
    int httpPort = twoFreePorts();
    int clusterPort = twoFreePorts();
    int pgPort = FreePort.next();
    GatewayClient first = new GatewayClient(httpPort);
    GatewayClient second = new GatewayClient(httpPort + 1);
    Map<String, String> env = new HashMap<>(baseEnv());
    env.put("TASKGRID_HTTP_PORT", Integer.toString(httpPort));
    env.put("TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("TASKGRID_PG_PORT", Integer.toString(pgPort));
    try (NodeProcess launcher =
        NodeProcess.start(
            "LauncherSeveralGatewaysIT-cluster",
            List.of("bash", "bin/taskgrid", "cluster", "--gateways", "2", "--workers", "2"),
            env)) {
      Duration startWithin = ProcessCluster.START_TIMEOUT.multipliedBy(3);
      launcher.awaitReady(first, startWithin);
      launcher.awaitReady(second, startWithin);
      assertFalse(launcher.log().contains(REBUILD_MARKER), "fresh jars, yet it rebuilt" + launcher.tail());
      assertTrue(
          launcher.log().contains("PostgreSQL for the job store on 127.0.0.1:" + pgPort),
          "the launcher did not say it runs PostgreSQL" + launcher.tail());
      assertTrue(Files.isRegularFile(pgDir.resolve("data").resolve("PG_VERSION")), "no cluster in " + pgDir);
      String pgLog = Files.readString(pgDir.resolve("postgres.log"), StandardCharsets.UTF_8);
      assertTrue(pgLog.contains("listening on IPv4 address \"127.0.0.1\", port " + pgPort), pgLog);
      assertTrue(
          pgLog.lines().filter(line -> line.contains("listening on")).allMatch(line -> line.contains("\"127.0.0.1\"")),
          "PostgreSQL listens beyond 127.0.0.1:\n" + pgLog);
      long postmaster = postmasterPid().orElseThrow(() -> new AssertionError("no postmaster.pid in " + pgDir));
      awaitTwoActiveWorkers(first, launcher);
      awaitTwoActiveWorkers(second, launcher);

      // A job accepted by gateway 1 is known to gateway 2, which follows it to its exact result.
      GatewayClient.Reply posted =
          first.post("/v1/jobs", "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":100000},\"parts\":8}");
      assertEquals(202, posted.status(), posted + launcher.tail());
      String status = "/v1/jobs/" + posted.json().path("id").asText();
      GatewayClient.Reply seen = second.get(status);
      assertEquals(200, seen.status(), "gateway 2 does not know the job of gateway 1: " + seen);
      JsonNode finished = Jobs.awaitFinished(second, status, JOB_WITHIN);
      assertEquals("succeeded", finished.path("state").asText(), finished::toString);
      assertEquals(9592, finished.path("result").asInt(), finished::toString);

      // Each gateway serves a process call, run on a worker.
      for (GatewayClient gateway : List.of(first, second)) {
        GatewayClient.Reply reply = gateway.post("/v1/tasks/primes", "{\"from\":0,\"to\":1000}");
        assertEquals(200, reply.status(), reply + launcher.tail());
        assertEquals(168, reply.json().path("result").asInt(), reply::toString);
        assertEquals("process", reply.json().path("mode").asText(), reply::toString);
      }

      List<ProcessHandle> jvms =
          ProcessHandle.of(launcher.pid()).orElseThrow().descendants()
              .filter(process -> process.info().command().orElse("").endsWith("/java"))
              .toList();
      assertEquals(4, jvms.size(), "not 4 JVMs under the launcher: " + jvms);

      int exitCode = launcher.terminate(STOP_WITHIN);
      assertTrue(Set.of(0, 130, 143).contains(exitCode), "exit code " + exitCode + launcher.tail());
      Await.atMost(Duration.ofSeconds(30), "no JVM of the cluster left")
          .context(launcher::tail)
          .until(() -> jvms.stream().noneMatch(ProcessHandle::isAlive));
      Await.atMost(Duration.ofSeconds(30), "no PostgreSQL left (postmaster " + postmaster + ")")
          .context(launcher::tail)
          .until(() -> ProcessHandle.of(postmaster).map(process -> !process.isAlive()).orElse(true));
      assertFalse(Files.exists(pgDir.resolve("data").resolve("postmaster.pid")), "PostgreSQL was not shut down cleanly");
      assertTrue(launcher.log().contains("Stopping PostgreSQL"), launcher.tail());
    }
  }

  @Test
  void withoutPostgresBinariesSeveralGatewaysAreRefusedSayingWhatToDo() throws Exception {
    Map<String, String> env = new HashMap<>(baseEnv());
    env.put("TASKGRID_HTTP_PORT", Integer.toString(twoFreePorts()));
    env.put("TASKGRID_CLUSTER_PORT", Integer.toString(twoFreePorts()));
    env.put("TASKGRID_PG_BIN", tmp.resolve("no-postgres-here").toString());
    try (NodeProcess launcher =
        NodeProcess.start(
            "LauncherSeveralGatewaysIT-no-binaries",
            List.of("bash", "bin/taskgrid", "cluster", "--gateways", "2", "--workers", "1"),
            env)) {
      assertEquals(1, launcher.awaitExit(Duration.ofSeconds(60)), launcher.tail());
      String log = launcher.log();
      assertTrue(log.contains("apt-get install postgresql"), "no hint how to install" + launcher.tail());
      assertTrue(log.contains("TASKGRID_DB_URL=jdbc:postgresql://"), "no hint to give a database" + launcher.tail());
      assertFalse(log.contains("Starting 2 gateway(s)"), "it started nodes anyway" + launcher.tail());
      assertFalse(Files.exists(pgDir), "it made " + pgDir + " anyway");
    }
  }

  private Map<String, String> baseEnv() throws IOException {
    return Map.of(
        "PATH", path(),
        "TASKGRID_TLS_DIR", tmp.resolve("tls").toString(),
        "TASKGRID_HTTP_HOST", "127.0.0.1",
        "TASKGRID_METRICS_PORT", "0",
        "TASKGRID_PG_DIR", pgDir.toString());
  }

  private static void awaitTwoActiveWorkers(GatewayClient gateway, NodeProcess launcher) throws InterruptedException {
    Await.atMost(ProcessCluster.START_TIMEOUT, "two active workers seen by " + gateway.uri(""))
        .context(launcher::tail)
        .until(
            () -> gateway.get("/v1/cluster", Duration.ofSeconds(5)),
            reply ->
                reply.status() == 200
                    && ProcessCluster.members(reply.json()).size() == 4
                    && ProcessCluster.activeExecutors(reply.json()).size() == 2);
  }

  /** The server's pid while it runs: the first line of its postmaster.pid. */
  private Optional<Long> postmasterPid() {
    Path file = pgDir.resolve("data").resolve("postmaster.pid");
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().map(String::trim).map(Long::parseLong);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * A port p on 127.0.0.1 such that p and p + 1 were free a moment ago: the launcher gives
   * gateway i the port base + i - 1.
   */
  private static int twoFreePorts() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = FreePort.next();
      if (port < 65535 && isFree(port + 1)) {
        return port;
      }
    }
    return fail("no two free consecutive ports on 127.0.0.1 after " + ATTEMPTS + " attempts");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** PATH with an mvn that only fails (the jars are fresh: no rebuild), then the test's JDK. */
  private String path() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    if (!Files.exists(mvn)) {
      Files.writeString(mvn, "#!/usr/bin/env bash\necho \"" + REBUILD_MARKER + ": mvn $*\"\nexit 1\n");
      Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    String javaBin = Path.of(Artifacts.java()).getParent().toString();
    return String.join(File.pathSeparator, bin.toString(), javaBin, System.getenv("PATH"));
  }
}
