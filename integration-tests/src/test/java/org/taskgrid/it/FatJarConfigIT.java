package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The shade plugin merges every module's reference.conf and taskgrid-akka.conf into one file each:
 * a key lost in that merge only shows in the packaged jar. Reads each fat jar's config the way a
 * node does, from the jar alone (the parent loader sees only the JDK).
 */
class FatJarConfigIT {
  private static final String SERVICES = "META-INF/services/org.taskgrid.core.task.Task";
  private static final Set<String> BUILT_IN_TASKS =
      Set.of(
          "org.taskgrid.core.task.builtin.EchoTask",
          "org.taskgrid.core.task.builtin.SleepTask",
          "org.taskgrid.core.task.builtin.PrimesTask",
          "org.taskgrid.core.task.builtin.Sha256Task",
          "org.taskgrid.core.task.builtin.WordCountTask");

  @Test
  void gatewayJarHoldsTheKeysOfCoreGatewayAndAkka() throws IOException {
    try (URLClassLoader loader = jarLoader(Artifacts.gatewayJar())) {
      Config config = nodeConfig(loader);
      assertCoreKeys(config);
      assertTaskgridAkkaOverridesWin(config);

      // http-gateway's reference.conf and taskgrid-akka.conf
      assertEquals(8080, config.getInt("taskgrid.gateway.http.port"));
      assertEquals(1024 * 1024, config.getBytes("taskgrid.gateway.max-body-size"));
      assertEquals(
          "org.taskgrid.gateway.http.JsonParsingErrorHandler",
          config.getString("akka.http.server.parsing.error-handler"));
      // a substitution across files: taskgrid-akka.conf names a key of reference.conf
      assertEquals(8 * 1024 * 1024, config.getBytes("akka.http.server.parsing.max-content-length"));
      assertEquals(Duration.ofSeconds(10), config.getDuration("taskgrid.gateway.http.request-head-timeout"));
      assertEquals(1_000_000, config.getLong("taskgrid.json.max-token-count"));
      assertEquals(Duration.ofSeconds(330), config.getDuration("akka.http.server.request-timeout"));
      assertEquals(List.of("gateway", "worker"), config.getStringList("akka.cluster.roles"));
      assertEquals(25520, config.getInt("akka.remote.artery.canonical.port"));

      // Akka HTTP's own reference.conf
      assertTrue(config.hasPath("akka.http.parsing.max-uri-length"));
      assertEquals("10.2.10", config.getString("akka.http.version"));
    }
  }

  @Test
  void workerJarHoldsTheKeysOfCoreWorkerAndAkka() throws IOException {
    try (URLClassLoader loader = jarLoader(Artifacts.workerJar())) {
      Config config = nodeConfig(loader);
      assertCoreKeys(config);
      assertTaskgridAkkaOverridesWin(config);

      // worker-node's reference.conf and taskgrid-akka.conf
      assertEquals(Duration.ofSeconds(30), config.getDuration("taskgrid.worker.drain-timeout"));
      assertEquals(Duration.ofSeconds(60), config.getDuration("taskgrid.worker.join-timeout"));
      assertTrue(config.getBoolean("akka.coordinated-shutdown.exit-jvm"));
      assertEquals(List.of("worker"), config.getStringList("akka.cluster.roles"));
      assertEquals(0, config.getInt("akka.remote.artery.canonical.port"));

      // nothing of the gateway leaks into a worker (not "taskgrid.gateway" itself: defaultReference
      // lays this JVM's system properties over the config, and Failsafe sets taskgrid.gateway.jar)
      assertFalse(config.hasPath("taskgrid.gateway.http"));
      assertFalse(config.hasPath("akka.http"));
    }
  }

  @Test
  void bothJarsListTheBuiltInTasks() throws IOException {
    for (Path jar : List.of(Artifacts.gatewayJar(), Artifacts.workerJar())) {
      try (URLClassLoader loader = jarLoader(jar)) {
        List<URL> files = Collections.list(loader.getResources(SERVICES));
        assertEquals(1, files.size(), jar + " should hold one " + SERVICES);
        Set<String> listed;
        try (InputStream in = files.get(0).openStream()) {
          listed =
              new String(in.readAllBytes(), StandardCharsets.UTF_8)
                  .lines()
                  .map(line -> line.replaceFirst("#.*", "").trim())
                  .filter(line -> !line.isEmpty())
                  .collect(Collectors.toSet());
        }
        assertEquals(BUILT_IN_TASKS, listed, jar + ": " + SERVICES);
      }
    }
  }

  /** Keys of core's reference.conf and Akka's, which every node needs. */
  private static void assertCoreKeys(Config config) {
    assertEquals(64, config.getInt("taskgrid.executor.blocking-slots"));
    assertEquals(64, config.getInt("taskgrid.dispatchers.blocking.thread-pool-executor.fixed-pool-size"));
    assertEquals(1_000_000_000L, config.getLong("taskgrid.tasks.primes.max-range"));
    ConfigValue binding =
        config.getObject("akka.actor.serialization-bindings").get("org.taskgrid.core.CborSerializable");
    assertNotNull(binding, "akka.actor.serialization-bindings lacks org.taskgrid.core.CborSerializable");
    assertEquals("jackson-cbor", binding.unwrapped());
    assertTrue(config.hasPath("akka.serialization.jackson.jackson-cbor"));
    // The messages that carry parts have a serializer of their own (PartSerializer).
    assertEquals(
        "org.taskgrid.core.execution.PartSerializer", config.getString("akka.actor.serializers.taskgrid-parts"));
    for (String message : List.of("RunPart", "RunParts", "PartSucceeded", "PartFailed", "PartOutcomes")) {
      ConfigValue bound =
          config.getObject("akka.actor.serialization-bindings")
              .get("org.taskgrid.core.execution.PartProtocol$" + message);
      assertNotNull(bound, message + " is bound to no serializer");
      assertEquals("taskgrid-parts", bound.unwrapped(), message);
    }

    // Akka's own reference.confs: actor, remote, cluster
    assertEquals("2.6.21", config.getString("akka.version"));
    assertTrue(config.hasPath("akka.cluster.split-brain-resolver.stable-after"));
    assertEquals("gateway", config.getString("taskgrid.downing.gateway-role"));
    assertTrue(config.getBytes("akka.remote.artery.advanced.maximum-frame-size") > 0);
  }

  /** taskgrid-akka.conf replaces what Akka's reference.conf sets. */
  private static void assertTaskgridAkkaOverridesWin(Config config) {
    assertEquals("cluster", config.getString("akka.actor.provider"));
    assertFalse(config.getBoolean("akka.actor.allow-java-serialization"));
    assertEquals(
        "org.taskgrid.core.downing.GatewayDowningProvider",
        config.getString("akka.cluster.downing-provider-class"));
    assertEquals(7, config.getDuration("taskgrid.downing.stable-after").toSeconds());
    assertEquals("tcp", config.getString("akka.remote.artery.transport"));
    // Mutual TLS, once on (Akka's own: "keystore", TLSv1.2); NodeConfig turns tls-tcp on.
    String ssl = "akka.remote.artery.ssl.config-ssl-engine.";
    assertEquals("", config.getString(ssl + "key-store"));
    assertEquals("TLSv1.3", config.getString(ssl + "protocol"));
    assertTrue(config.getBoolean(ssl + "require-mutual-authentication"));
    assertEquals("auto", config.getString("taskgrid.cluster.tls"));
    assertEquals(List.of("akka.event.slf4j.Slf4jLogger"), config.getStringList("akka.loggers"));
  }

  /** As NodeConfig.load() without application.conf and system properties: the jar's own config. */
  private static Config nodeConfig(ClassLoader loader) {
    return ConfigFactory.parseResourcesAnySyntax(loader, "taskgrid-akka")
        .withFallback(ConfigFactory.defaultReference(loader))
        .resolve();
  }

  private static URLClassLoader jarLoader(Path jar) throws IOException {
    return new URLClassLoader(
        new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
  }
}
