package org.taskgrid.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A worker JVM kept running as {@code bin/taskgrid cluster} keeps its workers: whenever it exits
 * it is started again (after a short pause), on the same cluster port, joining the same seed.
 * Records each exit code. {@link #close()} stops the loop, then the worker (SIGTERM, SIGKILL
 * after a grace).
 */
final class SupervisedWorker implements AutoCloseable {
  private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);
  private static final Duration POLL = Duration.ofMillis(200);

  private final String name;
  private final List<String> command;
  private final int port;
  private final List<Integer> exitCodes = new ArrayList<>();
  private final Thread loop;
  private volatile boolean closing;
  private volatile NodeProcess current;
  private int starts;

  /**
   * @param jvmOptions for every start of the worker
   */
  SupervisedWorker(String name, int seedPort, List<String> jvmOptions) {
    this.name = name;
    this.port = FreePort.next();
    this.command =
        NodeProcess.javaJar(Artifacts.workerJar(), jvmOptions, "--seed", "127.0.0.1:" + seedPort);
    this.current = startOnce();
    this.loop = new Thread(this::superviseLoop, name + "-supervisor");
    loop.setDaemon(true);
    loop.start();
  }

  /** The worker's cluster address, the same for every start. */
  String address() {
    return "akka://taskgrid@127.0.0.1:" + port;
  }

  /** The worker JVM running now (or the last one, while it is restarted). */
  NodeProcess current() {
    return current;
  }

  /** The exit codes of the starts that ended, in order. */
  synchronized List<Integer> exitCodes() {
    return List.copyOf(exitCodes);
  }

  private synchronized NodeProcess startOnce() {
    starts++;
    return NodeProcess.start(
        name + "-" + starts,
        command,
        Map.of(
            "TASKGRID_CLUSTER_HOST", "127.0.0.1",
            "TASKGRID_CLUSTER_PORT", Integer.toString(port)));
  }

  private void superviseLoop() {
    try {
      while (!closing) {
        NodeProcess process = current;
        while (process.isAlive() && !closing) {
          Thread.sleep(POLL.toMillis());
        }
        if (closing) {
          return;
        }
        int code = process.awaitExit(Duration.ofSeconds(5));
        synchronized (this) {
          exitCodes.add(code);
        }
        Thread.sleep(RESTART_PAUSE.toMillis());
        if (!closing) {
          current = startOnce();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    loop.interrupt();
    loop.join(TimeUnit.SECONDS.toMillis(10));
    current.close();
  }
}
