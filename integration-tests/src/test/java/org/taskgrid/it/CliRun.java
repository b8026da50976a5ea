package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of a command that ends by itself (the CLI), with stdout and stderr apart: a script
 * reads stdout, a person stderr, and the tests check both. Both land in files under it-logs; a run
 * that outlasts its bound is killed and fails the test.
 *
 * @param exitCode the process's exit code
 */
record CliRun(List<String> command, int exitCode, String stdout, String stderr) {

  /**
   * Runs {@code command} in the repository's root with the test JVM's environment minus any
   * {@code TASKGRID_*}, {@code JAVA_OPTS} and {@code COLUMNS} variable, plus {@code env}; stdin is
   * empty.
   */
  static CliRun run(String name, List<String> command, Map<String, String> env, Duration timeout)
      throws InterruptedException {
    Path stdout = Artifacts.logDir().resolve(name + ".stdout");
    Path stderr = Artifacts.logDir().resolve(name + ".stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(Artifacts.repoDir().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(key -> key.startsWith("TASKGRID_") || key.equals("JAVA_OPTS") || key.equals("COLUMNS"));
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        fail(command + " did not exit within " + timeout + "; stderr so far:\n" + read(stderr));
      }
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    return new CliRun(List.copyOf(command), process.exitValue(), read(stdout), read(stderr));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** For failure messages: the command, its exit code and both outputs. */
  @Override
  public String toString() {
    return "\n$ " + String.join(" ", command) + "\nexit code " + exitCode + "\n--- stdout ---\n" + stdout
        + "--- stderr ---\n" + stderr + "---";
  }
}
