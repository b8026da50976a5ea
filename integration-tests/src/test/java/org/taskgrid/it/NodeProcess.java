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
  /** The signals this class sent, so that an exit by one of them is not blamed on something else. */
  private final Set<String> signalsSent = ConcurrentHashMap.newKeySet();
  /** Whether the process is stopped by a SIGSTOP of this class, and not yet continued. */
  private volatile boolean stopped;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in the repository's root with the test JVM's environment minus any
   * {@code TASKGRID_*} and {@code JAVA_OPTS} variable, plus {@code env}. Unless {@code env} names
   * one, the process gets a data directory of its own ({@code TASKGRID_DATA_DIR}, see {@link
   * Artifacts#freshDataDir}).
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
    if (!env.containsKey("TASKGRID_DATA_DIR")) {
      builder.environment().put("TASKGRID_DATA_DIR", Artifacts.freshDataDir(name).toString());
    }
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
    Await.atMost(timeout, name + " ready")
        .every(POLL)
        .abortIf(
            () -> !process.isAlive(),
            () -> name + " exited" + exitDescription() + " before it was ready" + tail())
        .context(this::tail)
        .until(() -> client.get("/health/ready", Duration.ofSeconds(2)), reply -> reply.status() == 200);
    return this;
  }

  /** Waits until the log holds {@code text}; fails fast if the process exits without it. */
  NodeProcess awaitLog(String text, Duration timeout) throws InterruptedException {
    Await.atMost(timeout, "'" + text + "' in the log of " + name)
        .every(POLL)
        .abortIf(
            () -> !process.isAlive(),
            () -> name + " exited" + exitDescription() + " before logging '" + text + "'" + tail())
        .context(this::tail)
        .until(() -> log().contains(text));
    return this;
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
    signalsSent.add("TERM");
    process.destroy();
    return awaitExit(timeout);
  }

  /** The operating system's id of the process. */
  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, as a crash would: no shutdown hook, no goodbye to the cluster. */
  void kill() {
    signalsSent.add("KILL");
    process.destroyForcibly();
  }

  /**
   * Sends a signal with {@code kill -<signal> <pid>}: {@code STOP} freezes the JVM (a long GC
   * pause, a hung VM), {@code CONT} lets it go on. {@link #close()} continues a stopped process
   * before it stops it.
   */
  void signal(String signal) throws InterruptedException {
    signalsSent.add(signal);
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        fail("kill -" + signal + " " + process.pid() + " did not return within 10 s");
      }
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.exitValue() != 0) {
        fail("kill -" + signal + " " + process.pid() + " failed (" + kill.exitValue() + "): " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal, e);
    }
    if (signal.equals("STOP")) {
      stopped = true;
    } else if (signal.equals("CONT")) {
      stopped = false;
    }
  }

  /**
   * Stops all of them at once: SIGTERM to each (continuing any stopped one first), then waits for
   * each as {@link #close()} does. Faster than closing them one after the other, as their
   * shutdowns overlap. Nulls are skipped.
   */
  static void closeAll(List<NodeProcess> processes) throws InterruptedException {
    for (NodeProcess node : processes) {
      if (node != null) {
        node.continueIfStopped();
        if (node.process.isAlive()) {
          node.process.destroy();
        }
      }
    }
    InterruptedException interrupted = null;
    for (NodeProcess node : processes) {
      if (node != null) {
        try {
          node.close();
        } catch (InterruptedException e) {
          interrupted = e;
        }
      }
    }
    if (interrupted != null) {
      throw interrupted;
    }
  }

  private void continueIfStopped() throws InterruptedException {
    if (stopped && process.isAlive()) {
      try {
        signal("CONT");
      } catch (AssertionError | RuntimeException e) {
        // Closing goes on: SIGKILL ends a stopped process too.
      }
    }
  }

  /** " with code N", and a hint when a signal that this class did not send ended the process. */
  private String exitDescription() {
    int code = process.exitValue();
    String signal = code == 143 ? "SIGTERM" : code == 137 ? "SIGKILL" : null;
    if (signal == null) {
      return " with code " + code;
    }
    return " with code " + code
        + (signalsSent.contains(signal.substring(3))
            ? " (" + signal + ", sent by the test)"
            : " (" + signal + ", not sent by the test: something else killed it)");
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
    // A stopped process would not act on SIGTERM: it would sit out the grace and die by SIGKILL.
    continueIfStopped();
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
