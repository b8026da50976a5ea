package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build put what the tests run: Failsafe passes these as system properties. */
final class Artifacts {
  private Artifacts() {}

  static Path gatewayJar() {
    return jar("taskgrid.gateway.jar");
  }

  static Path workerJar() {
    return jar("taskgrid.worker.jar");
  }

  static Path cliJar() {
    return jar("taskgrid.cli.jar");
  }

  /** The root of the repository: README.md, bin/taskgrid. */
  static Path repoDir() {
    Path dir = property("taskgrid.repo.dir");
    assertTrue(Files.isRegularFile(dir.resolve("README.md")), "no README.md in " + dir);
    return dir;
  }

  /** integration-tests/target/it-logs: every process started writes its output here. */
  static Path logDir() {
    Path dir = repoDir().resolve("integration-tests").resolve("target").resolve("it-logs");
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fresh directory under integration-tests/target/it-data for the job store of one process:
   * gateways never share the default {@code data/} (H2 locks its file: a second gateway on it
   * would not start), and a test that restarts a gateway on the same data passes it again.
   */
  static Path freshDataDir(String name) {
    Path parent = repoDir().resolve("integration-tests").resolve("target").resolve("it-data");
    try {
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, name + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The java launcher of the JDK that runs the tests. */
  static String java() {
    return jdkTool("java");
  }

  /** A tool of the JDK that runs the tests ({@code java}, {@code jcmd}, {@code keytool}). */
  static String jdkTool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  private static Path jar(String property) {
    Path jar = property(property);
    if (!Files.isRegularFile(jar)) {
      fail(jar + " does not exist: build it first (mvn -B package -DskipTests)");
    }
    return jar;
  }

  private static Path property(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      fail("system property " + name + " is not set: run the ITs through Maven's Failsafe");
    }
    return Path.of(value).toAbsolutePath().normalize();
  }
}
