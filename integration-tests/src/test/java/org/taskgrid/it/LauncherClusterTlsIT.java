package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/taskgrid cluster} talks mutual TLS by default: on first use it makes a cluster CA and
 * a node certificate with keytool, and its gateway and worker form a cluster over {@code tls-tcp}.
 */
class LauncherClusterTlsIT {
  private static final String REBUILD_MARKER = "FAKE-MVN: bin/taskgrid tried to rebuild";

  @TempDir Path tmp;

  @Test
  void clusterMakesItsCertificatesOnFirstUseAndItsNodesTalkTls() throws Exception {
    Path tlsDir = tmp.resolve("tls");
    int httpPort = FreePort.next();
    GatewayClient client = new GatewayClient(httpPort);
    Map<String, String> env =
        Map.of(
            "PATH", path(),
            "TASKGRID_TLS_DIR", tlsDir.toString(),
            "TASKGRID_HTTP_HOST", "127.0.0.1",
            "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
            "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next()));
    try (NodeProcess launcher =
        NodeProcess.start(
            "LauncherClusterTlsIT-cluster", List.of("bash", "bin/taskgrid", "cluster", "--workers", "1"), env)) {
      // Certificates first (several keytool runs), then two JVMs and their first TLS handshake.
      launcher.awaitReady(client, ProcessCluster.START_TIMEOUT.multipliedBy(3));
      assertFalse(launcher.log().contains(REBUILD_MARKER), "fresh jars, yet it rebuilt" + launcher.tail());
      assertTrue(launcher.log().contains("Created a cluster CA in " + tlsDir.resolve("ca")), launcher.tail());
      for (String file : List.of("node.p12", "truststore.p12", "password", "ca/ca.p12")) {
        assertTrue(Files.isRegularFile(tlsDir.resolve(file)), "no " + file + " in " + tlsDir);
      }
      assertEquals(
          Set.of("rwx------"),
          Set.of(PosixFilePermissions.toString(Files.getPosixFilePermissions(tlsDir))),
          "the folder with the node's key is open to others");

      JsonNode view = client.get("/v1/cluster").json();
      assertEquals(2, ProcessCluster.members(view).size(), view::toString);
      GatewayClient.Reply reply = client.post("/v1/tasks/primes", "{\"from\":0,\"to\":1000}");
      assertEquals(200, reply.status(), reply + launcher.tail());
      assertEquals(168, reply.json().path("result").asInt(), reply::toString);
      for (String log : List.of("gateway-1.log", "worker-1.log")) {
        String text = Files.readString(Artifacts.repoDir().resolve("run").resolve(log), StandardCharsets.UTF_8);
        assertTrue(text.contains("Artery tls-tcp"), log + " does not show Artery over TLS:\n" + text);
      }
      int exitCode = launcher.terminate(Duration.ofSeconds(60));
      assertTrue(Set.of(0, 130, 143).contains(exitCode), "exit code " + exitCode + launcher.tail());
    }
  }

  /** PATH with an mvn that only fails (the jars are fresh: no rebuild), then the test's JDK. */
  private Path fakeMvnDir() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path mvn = bin.resolve("mvn");
    Files.writeString(mvn, "#!/usr/bin/env bash\necho \"" + REBUILD_MARKER + ": mvn $*\"\nexit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private String path() throws IOException {
    String javaBin = Path.of(Artifacts.java()).getParent().toString();
    return String.join(File.pathSeparator, fakeMvnDir().toString(), javaBin, System.getenv("PATH"));
  }
}
