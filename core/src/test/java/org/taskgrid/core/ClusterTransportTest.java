package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How NodeConfig chooses the cluster port's transport, and what it refuses to start with. */
class ClusterTransportTest {
  private static final String PASSWORD = "s3cret-pw";

  @TempDir static Path dir;
  private static Path keyStore;
  private static Path trustStore;

  /** A self-signed node key, and a trust store with its certificate, made with the JDK's keytool. */
  @BeforeAll
  static void makeStores() throws Exception {
    keyStore = dir.resolve("node.p12");
    trustStore = dir.resolve("truststore.p12");
    Path certificate = dir.resolve("node.crt");
    keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=test node", "-validity", "2", "-keystore", keyStore.toString(),
        "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", "node", "-keystore", keyStore.toString(),
        "-storepass", PASSWORD, "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certificate.toString(),
        "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
  }

  @Test
  void oneMachineOnLoopbackStaysOnPlainTcp() {
    assertEquals("tcp", load(Map.of()).getString(ClusterTransport.TRANSPORT));
  }

  @Test
  void aHostBeyondLoopbackWithoutCertificatesRefusesToStart() {
    ConfigException refused =
        assertThrows(ConfigException.class, () -> load(Map.of(ClusterTransport.CANONICAL_HOST, "10.0.0.5")));
    assertTrue(
        refused.getMessage().startsWith("TLS is on for the cluster port (the cluster host 10.0.0.5 is not"
            + " loopback) but this node has no key store: set TASKGRID_TLS_KEYSTORE"),
        refused::getMessage);
    assertTrue(refused.getMessage().contains("Plain TCP is only for one machine on loopback"), refused::getMessage);
  }

  @Test
  void bindingBeyondLoopbackCountsAsBeyondLoopback() {
    ConfigException refused =
        assertThrows(ConfigException.class, () -> load(Map.of(ClusterTransport.BIND_HOST, "192.0.2.10")));
    assertTrue(refused.getMessage().contains("(the cluster host 192.0.2.10 is not loopback)"), refused::getMessage);
  }

  @Test
  void offDoesNotAllowPlainTcpBeyondLoopback() {
    ConfigException refused =
        assertThrows(
            ConfigException.class,
            () -> load(Map.of(ClusterTransport.CANONICAL_HOST, "10.0.0.5", ClusterTransport.MODE, "off")));
    assertTrue(refused.getMessage().contains("listen on 10.0.0.5 in plain TCP"), refused::getMessage);
    assertEquals("tcp", load(Map.of(ClusterTransport.MODE, "off")).getString(ClusterTransport.TRANSPORT));
  }

  @Test
  void onWithoutAKeyStoreRefusesToStart() {
    ConfigException refused =
        assertThrows(ConfigException.class, () -> load(Map.of(ClusterTransport.MODE, "on")));
    assertTrue(refused.getMessage().contains("TASKGRID_CLUSTER_TLS=on"), refused::getMessage);
    assertTrue(refused.getMessage().contains("no key store"), refused::getMessage);
  }

  @Test
  void givenStoresTurnOnMutualTlsOnLoopbackAndBeyond() {
    Config onLoopback = load(stores(PASSWORD));
    assertEquals("tls-tcp", onLoopback.getString(ClusterTransport.TRANSPORT));
    assertTrue(onLoopback.getBoolean(ClusterTransport.SSL + "require-mutual-authentication"));
    assertEquals("TLSv1.3", onLoopback.getString(ClusterTransport.SSL + "protocol"));
    // One password for the store, the key and the trust store unless told otherwise.
    assertEquals(PASSWORD, onLoopback.getString(ClusterTransport.SSL + "key-password"));
    assertEquals(PASSWORD, onLoopback.getString(ClusterTransport.SSL + "trust-store-password"));

    Map<String, String> beyond = stores(PASSWORD);
    beyond.put(ClusterTransport.CANONICAL_HOST, "10.0.0.5");
    assertEquals("tls-tcp", load(beyond).getString(ClusterTransport.TRANSPORT));
  }

  @Test
  void aWrongPasswordOrAMissingStoreIsSaidBeforeAkkaStarts() {
    ConfigException wrong = assertThrows(ConfigException.class, () -> load(stores("not-the-password")));
    assertTrue(wrong.getMessage().contains("does not open with its password"), wrong::getMessage);

    Map<String, String> missing = stores(PASSWORD);
    missing.put(ClusterTransport.SSL + "trust-store", dir.resolve("nowhere.p12").toString());
    ConfigException absent = assertThrows(ConfigException.class, () -> load(missing));
    assertTrue(absent.getMessage().contains("nowhere.p12 does not exist"), absent::getMessage);

    // A trust store in the place of a key store: no private key in it.
    Map<String, String> swapped = stores(PASSWORD);
    swapped.put(ClusterTransport.SSL + "key-store", trustStore.toString());
    ConfigException noKey = assertThrows(ConfigException.class, () -> load(swapped));
    assertTrue(noKey.getMessage().contains("holds no private key"), noKey::getMessage);
  }

  @Test
  void anUnknownModeIsRefused() {
    ConfigException refused =
        assertThrows(ConfigException.class, () -> load(Map.of(ClusterTransport.MODE, "maybe")));
    assertTrue(refused.getMessage().contains("must be auto, on or off"), refused::getMessage);
  }

  private static Map<String, String> stores(String password) {
    Map<String, String> settings = new HashMap<>();
    settings.put(ClusterTransport.SSL + "key-store", keyStore.toString());
    settings.put(ClusterTransport.SSL + "key-store-password", password);
    settings.put(ClusterTransport.SSL + "trust-store", trustStore.toString());
    return settings;
  }

  private static Config load(Map<String, String> settings) {
    Map<String, Object> all = new HashMap<>(settings);
    all.putIfAbsent(ClusterTransport.CANONICAL_HOST, "127.0.0.1");
    return NodeConfig.load(Map.of(), ConfigFactory.parseMap(all));
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("keytool did not finish within 60 s: " + command);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), () -> "keytool failed: " + command + "\n" + output);
  }
}
