package org.taskgrid.gateway.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** taskgrid.store as reference.conf and the environment set it. */
class JobStoreSettingsTest {

  /** reference.conf resolved against {@code environment} instead of the real one. */
  private static Config withEnvironment(Map<String, String> environment) {
    return ConfigFactory.parseResourcesAnySyntax("reference")
        .withFallback(ConfigFactory.parseMap(environment))
        .resolve(ConfigResolveOptions.noSystem());
  }

  @Test
  void byDefaultJobsLiveInAnH2FileUnderData() {
    StoreSettings settings = StoreSettings.fromConfig(withEnvironment(Map.of()));
    Path data = Path.of("data").toAbsolutePath().normalize();
    assertTrue(settings.enabled());
    assertTrue(settings.embedded());
    assertEquals(data, settings.dataDir());
    assertEquals("jdbc:h2:file:" + data.resolve("jobs") + ";MODE=PostgreSQL;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", settings.jdbcUrl());
    assertEquals(data.resolve("jobs.mv.db"), settings.embeddedFile());
    assertEquals("sa", settings.user());
    assertEquals(4, settings.poolSize());
    assertEquals(Duration.ofSeconds(60), settings.socketTimeout());
    assertEquals(Duration.ofMillis(50), settings.flushInterval());
    assertEquals(2000, settings.flushMaxParts());
    assertEquals(Duration.ofSeconds(2), settings.recoveryInterval());
  }

  @Test
  void theEnvironmentNamesTheDatabase() {
    StoreSettings settings = StoreSettings.fromConfig(withEnvironment(Map.of(
        "TASKGRID_DB_URL", "jdbc:postgresql://db.example.com:5432/taskgrid",
        "TASKGRID_DB_USER", "grid",
        "TASKGRID_DB_PASSWORD", "s3cret",
        "TASKGRID_DATA_DIR", "/var/lib/taskgrid")));
    assertFalse(settings.embedded());
    assertEquals("jdbc:postgresql://db.example.com:5432/taskgrid", settings.jdbcUrl());
    assertEquals("grid", settings.user());
    assertEquals("s3cret", settings.password());
    assertEquals(Path.of("/var/lib/taskgrid"), settings.dataDir());
    assertFalse(settings.toString().contains("s3cret"), settings.toString());
  }

  @Test
  void theDataDirectoryMovesTheEmbeddedFile() {
    StoreSettings settings = StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DATA_DIR", "/srv/grid/")));
    assertTrue(settings.embedded());
    assertTrue(settings.jdbcUrl().startsWith("jdbc:h2:file:/srv/grid/jobs;"), settings.jdbcUrl());
  }

  @Test
  void anH2UrlSpeaksPostgreSqlAndOtherDatabasesAreRefused() {
    assertEquals("jdbc:h2:tcp://localhost/~/jobs;MODE=PostgreSQL",
        StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", "jdbc:h2:tcp://localhost/~/jobs"))).jdbcUrl());
    assertEquals("jdbc:h2:file:/srv/jobs;MODE=PostgreSQL;WRITE_DELAY=0",
        StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", "jdbc:h2:file:/srv/jobs"))).jdbcUrl());
    assertEquals("jdbc:h2:mem:x;mode=PostgreSQL",
        StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", "jdbc:h2:mem:x;mode=PostgreSQL"))).jdbcUrl());
    assertNull(StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", "jdbc:postgresql://h/db"))).user(),
        "the driver's default user");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", "jdbc:mysql://h/db"))));
    assertTrue(refused.getMessage().contains("TASKGRID_DB_URL"), refused.getMessage());
    String url = "jdbc:postgresql://h/db?user=u&password=hunter2&ssl=true";
    String said = StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_DB_URL", url))).toString();
    assertFalse(said.contains("hunter2"), said);
  }

  @Test
  void theDispatcherHasAThreadPerConnection() {
    Config config = ConfigFactory.parseMap(Map.of("taskgrid.store.pool-size", 7))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("reference"))
        .resolve(ConfigResolveOptions.noSystem());
    assertEquals(7, StoreSettings.fromConfig(config).poolSize());
    Config dispatcher = config.getConfig(StoreSettings.DISPATCHER);
    assertEquals("thread-pool-executor", dispatcher.getString("executor"));
    assertEquals(7, dispatcher.getInt("thread-pool-executor.fixed-pool-size"));
  }

  @Test
  void offKeepsJobsInMemory() {
    assertFalse(StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_STORE_ENABLED", "off"))).enabled());
    StoreSettings off = StoreSettings.fromConfig(withEnvironment(Map.of("TASKGRID_STORE_ENABLED", "off")));
    assertThrows(IllegalStateException.class, () -> JobStore.open(off));
  }
}
