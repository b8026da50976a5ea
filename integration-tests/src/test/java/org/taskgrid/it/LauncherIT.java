package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/taskgrid, run with bash from the repository's root as a user would. The build has just made
 * the jars, so the launcher must not rebuild: an {@code mvn} on the PATH that only fails makes a
 * rebuild visible, and keeps it from rewriting the jars under the other tests' JVMs.
 */
class LauncherIT {
  private static final String REBUILD_MARKER = "FAKE-MVN: bin/taskgrid tried to rebuild";

  @TempDir static Path fakeBin;

  /** PATH: the failing mvn first, then the JDK that runs the tests, then the inherited PATH. */
  private static String path;

  @BeforeAll
  static void fakeMvn() throws IOException {
    Path mvn = fakeBin.resolve("mvn");
    Files.writeString(
        mvn,
        "#!/usr/bin/env bash\necho \"" + REBUILD_MARKER + ": mvn $*\"\nexit 1\n",
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    String javaBin = Path.of(Artifacts.java()).getParent().toString();
    path = String.join(File.pathSeparator, fakeBin.toString(), javaBin, System.getenv("PATH"));
  }

  @Test
  void startRunsAGatewayThatSigtermStops() throws InterruptedException {
    int httpPort = FreePort.next();
    String url = "http://127.0.0.1:" + httpPort;
    Map<String, String> env =
        Map.of(
            "PATH", path,
            "TASKGRID_HTTP_HOST", "127.0.0.1",
            "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
            "TASKGRID_CLUSTER_HOST", "127.0.0.1",
            "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next()));
    try (NodeProcess launcher = launcher("LauncherIT-start", "start", env)) {
      launcher.awaitReady(new GatewayClient(httpPort), Duration.ofSeconds(60));
      launcher.awaitLog("taskgrid is listening on " + url, Duration.ofSeconds(10));
      launcher.awaitLog(
          "curl -s -XPOST '" + url + "/v1/tasks/primes' -d '{\"from\":0,\"to\":1000000}'",
          Duration.ofSeconds(10));
      String log = launcher.log();
      assertFalse(log.contains(REBUILD_MARKER), "fresh jars, yet it rebuilt" + launcher.tail());
      assertFalse(log.contains("Building taskgrid"), "fresh jars, yet it rebuilt" + launcher.tail());

      int exitCode = launcher.terminate(Duration.ofSeconds(20));
      assertTrue(
          Set.of(0, 143).contains(exitCode),
          "exit code " + exitCode + " after SIGTERM" + launcher.tail());
    }
  }

  @Test
  void anUnknownCommandExits2WithTheUsage() throws InterruptedException {
    try (NodeProcess launcher = launcher("LauncherIT-bogus", "bogus", Map.of("PATH", path))) {
      assertEquals(2, launcher.awaitExit(Duration.ofSeconds(20)), launcher.tail());
      assertTrue(launcher.log().contains("Usage:"), "no usage" + launcher.tail());
      assertTrue(launcher.log().contains("bin/taskgrid start"), "no usage" + launcher.tail());
      assertFalse(launcher.log().contains(REBUILD_MARKER), launcher.tail());
    }
  }

  private static NodeProcess launcher(String name, String command, Map<String, String> env) {
    return NodeProcess.start(name, List.of("bash", "bin/taskgrid", command), env);
  }
}
