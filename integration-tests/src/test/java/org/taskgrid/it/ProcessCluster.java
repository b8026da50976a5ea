package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A real cluster on loopback for one test class: a gateway JVM with the {@code gateway} role only
 * (so every {@code process} part goes to a worker) and worker JVMs that join it. Every node detects
 * failures and downs nodes within seconds ({@link #CLUSTER_OPTIONS}). Every wait is bounded and
 * fails with what it saw last. {@link #close()} stops the workers (all at once), then the gateway.
 */
final class ProcessCluster implements AutoCloseable {
  /** Fast failure detection and downing, for every node of the cluster, the gateway too. */
  static final List<String> CLUSTER_OPTIONS =
      List.of(
          "-Dakka.cluster.failure-detector.acceptable-heartbeat-pause=2s",
          "-Dakka.cluster.failure-detector.heartbeat-interval=500ms",
          "-Dtaskgrid.downing.stable-after=5s");
  /** A worker's drain timeout on SIGTERM. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  /** JVMs start slowly on a busy machine, several at once slower still. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration POLL = Duration.ofMillis(200);

  /** A worker JVM and its cluster address, as the answers' {@code node} names it. */
  record Worker(String address, NodeProcess process) {
    @Override
    public String toString() {
      return address + " " + process;
    }
  }

  private final String name;
  private final int clusterPort;
  private final GatewayClient client;
  private final NodeProcess gateway;
  private final List<Worker> workers = new ArrayList<>();

  private ProcessCluster(String name, int clusterPort, GatewayClient client, NodeProcess gateway) {
    this.name = name;
    this.clusterPort = clusterPort;
    this.client = client;
    this.gateway = gateway;
  }

  /**
   * Starts a gateway with the gateway role only and waits until it is Up in its cluster of one
   * (not until it is ready: with no worker it is not).
   *
   * @param name prefixes the log files: it-logs/{name}-gateway.log, {name}-worker-N.log
   * @param jvmOptions on top of {@link #CLUSTER_OPTIONS}
   */
  static ProcessCluster start(String name, List<String> jvmOptions) throws InterruptedException {
    int httpPort = FreePort.next();
    int clusterPort = FreePort.next();
    List<String> options = new ArrayList<>(CLUSTER_OPTIONS);
    options.addAll(jvmOptions);
    NodeProcess gateway =
        NodeProcess.start(
            name + "-gateway",
            NodeProcess.javaJar(Artifacts.gatewayJar(), options),
            Map.of(
                "TASKGRID_ROLES", "gateway",
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort)));
    ProcessCluster cluster = new ProcessCluster(name, clusterPort, new GatewayClient(httpPort), gateway);
    try {
      String self = cluster.gatewayAddress();
      cluster.awaitView(
          "the gateway Up in its cluster",
          START_TIMEOUT,
          view -> members(view).getOrDefault(self, "").equals("up"));
      return cluster;
    } catch (AssertionError | RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  GatewayClient client() {
    return client;
  }

  NodeProcess gateway() {
    return gateway;
  }

  /** Where other nodes reach the gateway: what a worker's --seed names. */
  int clusterPort() {
    return clusterPort;
  }

  /** The gateway's cluster address, as a {@code node} field would name it. */
  String gatewayAddress() {
    return "akka://taskgrid@127.0.0.1:" + clusterPort;
  }

  /** Starts a worker JVM that joins the gateway; does not wait for it. */
  Worker startWorker() {
    int port = FreePort.next();
    String workerName = name + "-worker-" + (workers.size() + 1);
    List<String> options = new ArrayList<>(CLUSTER_OPTIONS);
    options.add("-Dtaskgrid.worker.drain-timeout=" + DRAIN_TIMEOUT.toSeconds() + "s");
    NodeProcess process =
        NodeProcess.start(
            workerName,
            NodeProcess.javaJar(
                Artifacts.workerJar(), options, "--seed", "127.0.0.1:" + clusterPort),
            Map.of(
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(port)));
    Worker worker = new Worker("akka://taskgrid@127.0.0.1:" + port, process);
    workers.add(worker);
    return worker;
  }

  /** The line a worker logs once it is Up and its executor is listed. */
  static String upLine(Worker worker) {
    return "Worker " + worker.address() + " is Up; its executor takes work";
  }

  /** The workers started so far whose JVM still runs. */
  List<Worker> liveWorkers() {
    return workers.stream().filter(worker -> worker.process().isAlive()).toList();
  }

  /**
   * Makes sure that exactly {@code count} workers run and that the gateway sees their executors,
   * and only theirs, active: starts what is missing (at once), and waits until the executors of
   * workers that died are gone from the gateway's view. A clean start for a test.
   */
  List<Worker> ensureWorkers(int count) throws InterruptedException {
    List<Worker> live = new ArrayList<>(liveWorkers());
    if (live.size() > count) {
      throw new IllegalStateException(live.size() + " workers run, more than " + count + ": " + live);
    }
    while (live.size() < count) {
      live.add(startWorker());
    }
    for (Worker worker : live) {
      worker.process().awaitLog(upLine(worker), START_TIMEOUT);
    }
    Set<String> addresses = live.stream().map(Worker::address).collect(Collectors.toSet());
    // The router counts an executor as one slot until the executor tells its capacity (64 blocking
    // slots and one per core by default): work sent before that would all go to the others.
    awaitView(
        "exactly the executors of " + new TreeSet<>(addresses) + ", all active, their capacity known",
        START_TIMEOUT,
        view ->
            activeExecutors(view).equals(addresses)
                && executors(view).size() == addresses.size()
                && executors(view).values().stream().allMatch(executor -> executor.path("capacity").asInt() > 1));
    return List.copyOf(live);
  }

  /** {@code GET /v1/cluster}. */
  JsonNode view() throws IOException, InterruptedException {
    GatewayClient.Reply reply = client.get("/v1/cluster", Duration.ofSeconds(5));
    if (reply.status() != 200) {
      fail("GET /v1/cluster answered " + reply);
    }
    return reply.json();
  }

  /** What a wait checks in {@code GET /v1/cluster}. */
  interface ViewCheck {
    boolean test(JsonNode view);
  }

  /**
   * Polls {@code GET /v1/cluster} until {@code check} holds, and returns that view; fails with the
   * last view after {@code timeout}, and at once if the gateway dies.
   */
  JsonNode awaitView(String what, Duration timeout, ViewCheck check) throws InterruptedException {
    return Await.atMost(timeout, what)
        .every(POLL)
        .abortIf(
            () -> !gateway.isAlive(),
            () -> "the gateway died while waiting for " + what + gateway.tail())
        .until(this::view, check::test);
  }

  /** Each member's status ({@code up}, {@code unreachable}, ...) by address. */
  static Map<String, String> members(JsonNode view) {
    Map<String, String> members = new LinkedHashMap<>();
    view.path("members")
        .forEach(member -> members.put(member.path("address").asText(), member.path("status").asText()));
    return members;
  }

  /** Each executor as the gateway's router sees it, by node. */
  static Map<String, JsonNode> executors(JsonNode view) {
    Map<String, JsonNode> executors = new HashMap<>();
    view.path("executors").forEach(executor -> executors.put(executor.path("node").asText(), executor));
    return executors;
  }

  /** The nodes whose executors take work. */
  static Set<String> activeExecutors(JsonNode view) {
    return executors(view).entrySet().stream()
        .filter(entry -> entry.getValue().path("state").asText().equals("active"))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** Each executor's {@code completed} count, by node. */
  static Map<String, Long> completed(JsonNode view) {
    Map<String, Long> completed = new HashMap<>();
    executors(view).forEach((node, executor) -> completed.put(node, executor.path("completed").asLong()));
    return completed;
  }

  /** Waits until the gateway's router has parts in flight on the worker. */
  void awaitInFlightOn(Worker worker, Duration timeout) throws InterruptedException {
    awaitView(
        "parts in flight on " + worker.address(),
        timeout,
        view ->
            executors(view)
                    .getOrDefault(worker.address(), MissingNode.getInstance())
                    .path("inFlight")
                    .asInt()
                > 0);
  }

  /** The gateway's log and every worker's, for a failure message. */
  String tails() {
    StringBuilder tails = new StringBuilder(gateway.tail());
    workers.forEach(worker -> tails.append(worker.process().tail()));
    return tails.toString();
  }

  @Override
  public void close() throws InterruptedException {
    try {
      NodeProcess.closeAll(workers.stream().map(Worker::process).toList());
    } finally {
      gateway.close();
    }
  }
}
