package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JVM (or a script) started as a real process, its stdout and stderr in one log file under
 * integration-tests/target/it-logs. Every wait is bounded and, when it fails, shows the log's tail.
 * {@link #close()} stops the process for sure: SIGTERM, then SIGKILL after 10 s.
 */
final class NodeProcess implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final int TAIL_LINES = 60;

  /** Processes still running, killed when the test JVM exits however it exits. */
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    LIVE.forEach(
                        process -> {
                          process.descendants().forEach(ProcessHandle::destroyForcibly);
                          process.destroyForcibly();
                        }),
                "it-process-reaper"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in the repository's root with the test JVM's environment minus any
   * {@code TASKGRID_*} and {@code JAVA_OPTS} variable, plus {@code env}.
   *
   * @param name names the log file: it-logs/{name}.log
   */
  static NodeProcess start(String name, List<String> command, Map<String, String> env) {
    Path log = Artifacts.logDir().resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(Artifacts.repoDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("TASKGRID_") || key.equals("JAVA_OPTS"));
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      LIVE.add(process.toHandle());
      return new NodeProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** {@code java <jvmOptions> -jar <jar> <args>} with the JDK that runs the tests. */
  static List<String> javaJar(Path jar, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Artifacts.java());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    return command;
  }

  /** {@code java -cp <classpath> <mainClass> <args>} with the JDK that runs the tests. */
  static List<String> javaMain(String classpath, String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(Artifacts.java(), "-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** Waits until GET /health/ready answers 200; fails fast if the process dies meanwhile. */
  NodeProcess awaitReady(GatewayClient client, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail(name + " exited" + exitDescription() + " before it was ready" + tail());
      }
      try {
        GatewayClient.Reply reply = client.get("/health/ready", Duration.ofSeconds(2));
        if (reply.status() == 200) {
          return this;
        }
        last = reply.toString();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(POLL.toMillis());
    }
    return fail(name + " was not ready within " + timeout + " (last: " + last + ")" + tail());
  }

  /** Waits until the log holds {@code text}; fails fast if the process exits without it. */
  NodeProcess awaitLog(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean exited = !process.isAlive();
      if (log().contains(text)) {
        return this;
      }
      if (exited) {
        fail(name + " exited" + exitDescription() + " before logging '" + text + "'" + tail());
      }
      Thread.sleep(POLL.toMillis());
    }
    return fail(name + " did not log '" + text + "' within " + timeout + tail());
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      fail(name + " did not exit within " + timeout + tail());
    }
    LIVE.remove(process.toHandle());
    return process.exitValue();
  }

  /** Sends SIGTERM and waits for the exit; returns the exit code. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return awaitExit(timeout);
  }

  /** " with code N", and a hint when a signal that this class did not send ended the process. */
  private String exitDescription() {
    int code = process.exitValue();
    String signal = code == 143 ? "SIGTERM" : code == 137 ? "SIGKILL" : null;
    return " with code " + code
        + (signal == null ? "" : " (" + signal + ", not sent by the test: something else killed it)");
  }

  /** Everything the process wrote so far. */
  String log() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** The last lines of the log, to append to a failure message. */
  String tail() {
    List<String> lines = log().lines().toList();
    List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    return "\n--- last " + last.size() + " lines of " + log + " ---\n" + String.join("\n", last) + "\n---";
  }

  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> descendants = process.descendants().toList();
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    LIVE.remove(process.toHandle());
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
