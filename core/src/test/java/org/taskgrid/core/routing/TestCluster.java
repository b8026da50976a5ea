package org.taskgrid.core.routing;

import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Join;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.taskgrid.core.Await;
import org.taskgrid.core.NodeConfig;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.TaskRegistry;

/**
 * Cluster nodes in this JVM, each a real ActorSystem over Artery TCP on 127.0.0.1 and a free port,
 * with failure detection made fast. The first node started joins itself, the others join it.
 * {@link #close()} terminates every node still running.
 */
final class TestCluster implements AutoCloseable {

  /** The longest wait for the nodes to see each other Up. */
  static final Duration UP_TIMEOUT = Duration.ofSeconds(20);

  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static final String BASE =
      """
      akka.remote.artery.canonical.hostname = "127.0.0.1"
      akka.remote.artery.canonical.port = 0
      akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
      akka.cluster.failure-detector.heartbeat-interval = 200ms
      taskgrid.downing.stable-after = 2s
      akka.coordinated-shutdown.exit-jvm = off
      akka.coordinated-shutdown.terminate-actor-system = on
      # Several clusters in one JVM: each node its own JMX bean, no warning about the name taken.
      akka.cluster.jmx.multi-mbeans-in-same-jvm = on
      """;

  /**
   * terminate() without Coordinated Shutdown: no leaving, no draining. The remoting would still
   * wait up to a second for its peers to acknowledge a goodbye that a killed JVM never sends.
   */
  private static final String CRASHABLE =
      """
      akka.coordinated-shutdown.run-by-actor-system-terminate = off
      akka.remote.artery.advanced.shutdown-flush-timeout = 100ms
      """;

  /** One node: its system, a testkit on it, its cluster address. */
  static final class Node {
    final ActorSystem<Void> system;
    final ActorTestKit testKit;
    final Address address;

    Node(ActorSystem<Void> system) {
      this.system = system;
      this.testKit = ActorTestKit.create(system);
      this.address = Cluster.get(system).selfMember().address();
    }

    /** The address as the executor names it in its answers. */
    String name() {
      return address.toString();
    }

    Config config() {
      return system.settings().config();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final List<Address> crashed = new ArrayList<>();

  /** A gateway: role {@code gateway}, leaves gracefully when terminated. */
  Node gateway(String extraConfig) {
    return start("gateway", false, extraConfig);
  }

  /**
   * A worker node (role {@code worker}) with no executor yet.
   *
   * @param crashable when true, {@link #crash} stops it without leaving the cluster or telling
   *     anyone, as a killed JVM would
   */
  Node worker(boolean crashable) {
    return start("worker", crashable, "");
  }

  /** A worker node with config of its own on top (HOCON). */
  Node worker(boolean crashable, String extraConfig) {
    return start("worker", crashable, extraConfig);
  }

  /**
   * Config that lets {@link #cutOff} cut a node off the network (Artery's test mode), and keeps the
   * Split Brain Resolver from downing anyone for a while, so that the node can come back.
   */
  static final String CUTTABLE =
      """
      akka.remote.artery.advanced.test-mode = on
      taskgrid.downing.stable-after = 30s
      """;

  /** Scala's Direction.Both, which javac cannot name (a case object nested in a trait's object). */
  private static akka.remote.transport.ThrottlerTransportAdapter.Direction bothWays()
      throws ReflectiveOperationException {
    return (akka.remote.transport.ThrottlerTransportAdapter.Direction)
        Class.forName("akka.remote.transport.ThrottlerTransportAdapter$Direction$Both$")
            .getField("MODULE$")
            .get(null);
  }

  /**
   * Drops every message between the two nodes, both ways, or lets them through again: a network
   * blip or a long GC pause as the others see it. Both nodes need {@link #CUTTABLE}.
   */
  @SuppressWarnings("deprecation")
  static void cutOff(Node a, Node b, boolean cut) {
    for (Node[] pair : new Node[][] {{a, b}, {b, a}}) {
      akka.remote.transport.ThrottlerTransportAdapter.ThrottleMode mode =
          cut
              ? akka.remote.transport.ThrottlerTransportAdapter.Blackhole$.MODULE$
              : akka.remote.transport.ThrottlerTransportAdapter.Unthrottled$.MODULE$;
      try {
        scala.concurrent.Await.result(
            ((akka.remote.RemoteActorRefProvider)
                    ((akka.actor.ExtendedActorSystem)
                            akka.actor.typed.javadsl.Adapter.toClassic(pair[0].system))
                        .provider())
                .transport()
                .managementCommand(
                    new akka.remote.transport.ThrottlerTransportAdapter.SetThrottle(
                        pair[1].address,
                        bothWays(),
                        mode)),
            scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
      } catch (Exception e) {
        fail("cannot " + (cut ? "cut" : "restore") + " the link " + pair[0].name() + " -> " + pair[1].name(), e);
      }
    }
  }

  private Node start(String role, boolean crashable, String extraConfig) {
    Config overrides =
        ConfigFactory.parseString(
            BASE
                + "akka.cluster.roles = [\"" + role + "\"]\n"
                + (crashable ? CRASHABLE : "")
                + extraConfig);
    Config config = NodeConfig.load(Map.of(), overrides);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    Node node;
    try {
      node = new Node(system);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
    Address seed = nodes.isEmpty() ? node.address : nodes.get(0).address;
    nodes.add(node);
    Cluster.get(node.system).manager().tell(Join.create(seed));
    return node;
  }

  /** Waits until every running node sees every running node Up. */
  void awaitAllUp() {
    Await.atMost(UP_TIMEOUT, "every node Up")
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        node -> {
                          var members =
                              StreamSupport.stream(
                                      Cluster.get(node.system).state().getMembers().spliterator(),
                                      false)
                                  .toList();
                          return members.size() == nodes.size()
                              && members.stream().allMatch(m -> m.status() == MemberStatus.up());
                        }));
  }

  /** Starts an executor on a worker and lists it with the Receptionist, as {@code Worker} does. */
  static ActorRef<Executor.Command> startExecutor(Node worker) {
    ActorRef<Executor.Command> executor =
        worker.testKit.spawn(
            Executor.create(
                TaskRegistry.load(worker.system),
                ExecutorSettings.fromConfig(worker.config()),
                worker.name()));
    worker.system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, executor));
    return executor;
  }

  /** Waits until the node's Receptionist lists exactly the executors that pass the test. */
  static void awaitListing(
      Node node, Duration max, String what, Predicate<Set<ActorRef<Executor.Command>>> test) {
    TestProbe<Receptionist.Listing> probe = TestProbe.create(node.system);
    try {
      Await.atMost(max, what)
          .until(
              () -> {
                node.system
                    .receptionist()
                    .tell(Receptionist.find(Executor.SERVICE_KEY, probe.ref()));
                return test.test(
                    probe.receiveMessage(Duration.ofSeconds(3))
                        .getAllServiceInstances(Executor.SERVICE_KEY));
              });
    } finally {
      probe.stop();
    }
  }

  /**
   * Spawns a router on a gateway, with the settings of the gateway's config, and the gateway's
   * own executor for thread and async parts (not listed: the gateway takes no process work).
   */
  static ActorRef<Router.Command> startRouter(Node gateway) {
    ActorRef<Executor.Command> local =
        gateway.testKit.spawn(
            Executor.create(
                TaskRegistry.load(gateway.system),
                ExecutorSettings.fromConfig(gateway.config()),
                gateway.name()));
    return gateway.testKit.spawn(Router.create(RouterSettings.fromConfig(gateway.config()), local));
  }

  /** The router's view, asked once. */
  static Router.Status status(Node gateway, ActorRef<Router.Command> router) {
    TestProbe<Router.Status> probe = TestProbe.create(gateway.system);
    router.tell(new Router.GetStatus(probe.ref()));
    Router.Status status = probe.receiveMessage(Duration.ofSeconds(3));
    probe.stop();
    return status;
  }

  /** Asks the router until its view passes the test; fails after {@code max}. */
  static Router.Status awaitStatus(
      Node gateway, ActorRef<Router.Command> router, Duration max, String what,
      Predicate<Router.Status> test) {
    return Await.atMost(max, "the router showing " + what)
        .until(() -> status(gateway, router), test);
  }

  /** The executor the router sees on a node, if any. */
  static Router.ExecutorStatus executorOn(Router.Status status, Node node) {
    return status.executors().stream()
        .filter(executor -> executor.node().equals(node.name()))
        .findFirst()
        .orElse(null);
  }

  /** Whether the router sees the node's executor in that state. */
  static boolean isIn(Router.Status status, Node node, ExecutorState state) {
    Router.ExecutorStatus executor = executorOn(status, node);
    return executor != null && executor.state() == state;
  }

  /** Whether the router sends the node's executor work, and knows it has more than one slot. */
  static boolean takesWork(Router.Status status, Node worker) {
    Router.ExecutorStatus executor = executorOn(status, worker);
    return executor != null && executor.state() == ExecutorState.ACTIVE && executor.capacity() > 1;
  }

  /** Stops a crashable node abruptly: no leaving, no draining. */
  void crash(Node node) {
    nodes.remove(node);
    crashed.add(node.address);
    node.system.terminate();
    try {
      node.system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("node " + node.name() + " did not stop within 10 s", e);
    }
  }

  /**
   * Terminates every node still running, all at once, and waits (bounded) for their end. Crashed
   * nodes that may not be downed yet are downed first, as an operator would: the others could not
   * leave while one is unreachable.
   */
  @Override
  public void close() {
    if (!nodes.isEmpty() && !crashed.isEmpty()) {
      Cluster first = Cluster.get(nodes.get(0).system);
      crashed.forEach(address -> first.manager().tell(new Down(address)));
      try {
        Await.atMost(Duration.ofSeconds(5), "crashed nodes downed")
            .until(
                () ->
                    StreamSupport.stream(first.state().getMembers().spliterator(), false)
                        .noneMatch(
                            member ->
                                crashed.contains(member.address())
                                    && member.status() != MemberStatus.down()));
      } catch (AssertionError e) {
        // Terminate anyway; leaving takes longer then.
      }
    }
    crashed.clear();
    List<CompletableFuture<?>> ends = new ArrayList<>();
    for (Node node : nodes) {
      node.system.terminate();
      ends.add(node.system.getWhenTerminated().toCompletableFuture());
    }
    nodes.clear();
    try {
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("some node did not stop within 20 s", e);
    }
  }

  /** A part that sleeps on a worker's blocking pool. */
  static Router.Submit sleep(
      String partId, long millis, long timeoutMillis, ActorRef<PartProtocol.PartOutcome> replyTo) {
    return new Router.Submit(
        partId, "sleep", JSON.objectNode().put("millis", millis), Mode.PROCESS, timeoutMillis, replyTo);
  }

  /**
   * Receives answers until {@code count} parts have one; fails on a second answer for a part and
   * when the answers do not all come within {@code max}.
   */
  static Map<String, PartProtocol.PartOutcome> receiveOnce(
      TestProbe<PartProtocol.PartOutcome> probe, int count, Duration max) {
    Map<String, PartProtocol.PartOutcome> byPart = new LinkedHashMap<>();
    long deadline = System.nanoTime() + max.toNanos();
    while (byPart.size() < count) {
      long left = deadline - System.nanoTime();
      PartProtocol.PartOutcome outcome;
      try {
        outcome = probe.receiveMessage(Duration.ofNanos(Math.max(1, left)));
      } catch (AssertionError e) {
        return fail(
            "only " + byPart.size() + " of " + count + " answers within " + max + ": " + byPart, e);
      }
      PartProtocol.PartOutcome first = byPart.putIfAbsent(outcome.partId(), outcome);
      if (first != null) {
        fail("two answers for part " + outcome.partId() + ": " + first + " and " + outcome);
      }
    }
    return byPart;
  }
}
