package org.taskgrid.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import java.util.Locale;

/**
 * Chooses the transport of the cluster port, plain TCP or mutual TLS ({@code taskgrid.cluster.tls}),
 * and checks the key and trust stores before Akka starts: Akka reads them only when the first
 * connection is made, and a wrong path or password would then show as nodes that never meet.
 *
 * <p>A node never listens in plain TCP on a host other than loopback: whoever reaches that port
 * could join the cluster, receive the inputs of {@code process} work and send forged results.
 */
public final class ClusterTransport {
  static final String MODE = "taskgrid.cluster.tls";
  static final String TRANSPORT = "akka.remote.artery.transport";
  static final String CANONICAL_HOST = "akka.remote.artery.canonical.hostname";
  static final String BIND_HOST = "akka.remote.artery.bind.hostname";
  static final String SSL = "akka.remote.artery.ssl.config-ssl-engine.";
  private static final String SEE = " See the README, 'Secure the cluster'.";

  private ClusterTransport() {}

  /**
   * The config with {@code akka.remote.artery.transport} set to {@code tls-tcp} when TLS is on.
   *
   * @throws ConfigException with a message for the operator when the node must not start
   */
  public static Config apply(Config config) {
    String mode = config.getString(MODE).trim().toLowerCase(Locale.ROOT);
    String host = config.getString(CANONICAL_HOST);
    String bindHost = config.hasPath(BIND_HOST) ? config.getString(BIND_HOST) : "";
    String exposedHost = !isLoopback(host) ? host : !bindHost.isEmpty() && !isLoopback(bindHost) ? bindHost : null;
    boolean keyStoreGiven = !config.getString(SSL + "key-store").isEmpty();
    boolean tls =
        switch (mode) {
          case "on" -> true;
          case "off" -> false;
          case "auto" -> exposedHost != null || keyStoreGiven;
          default -> throw new ConfigException.BadValue(
              config.origin(), MODE, "must be auto, on or off (TASKGRID_CLUSTER_TLS), not '" + mode + "'");
        };
    tls = tls || config.getString(TRANSPORT).equals("tls-tcp");
    if (!tls) {
      if (exposedHost != null) {
        throw new ConfigException.Generic(
            "The cluster port would listen on " + exposedHost + " in plain TCP, where any host that"
                + " reaches it could join the cluster and receive its work. Give this node a"
                + " certificate of the cluster's CA (TASKGRID_TLS_KEYSTORE, TASKGRID_TLS_TRUSTSTORE"
                + " and TASKGRID_TLS_KEYSTORE_PASSWORD; bin/taskgrid makes them on first use), or"
                + " keep the cluster on one machine with TASKGRID_CLUSTER_HOST=127.0.0.1." + SEE);
      }
      return config;
    }
    String why = mode.equals("on") ? "TASKGRID_CLUSTER_TLS=on" : exposedHost != null
        ? "the cluster host " + exposedHost + " is not loopback" : "a key store is given";
    checkStores(config, why);
    return config.withValue(TRANSPORT, ConfigValueFactory.fromAnyRef("tls-tcp"));
  }

  /** Whether the host is a loopback address; a name that does not resolve counts as not. */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void checkStores(Config config, String why) {
    String keyStorePath = config.getString(SSL + "key-store");
    String trustStorePath = config.getString(SSL + "trust-store");
    if (keyStorePath.isEmpty() || trustStorePath.isEmpty()) {
      throw new ConfigException.Generic(
          "TLS is on for the cluster port (" + why + ") but this node has no "
              + (keyStorePath.isEmpty() ? "key store" : "trust store") + ": set TASKGRID_TLS_KEYSTORE"
              + " (this node's key and certificate), TASKGRID_TLS_TRUSTSTORE (the cluster CA's"
              + " certificate) and TASKGRID_TLS_KEYSTORE_PASSWORD; bin/taskgrid makes them on first"
              + " use. Plain TCP is only for one machine on loopback (TASKGRID_CLUSTER_HOST=127.0.0.1)."
              + SEE);
    }
    KeyStore keyStore = load("key store", keyStorePath, config.getString(SSL + "key-store-password"));
    char[] keyPassword = config.getString(SSL + "key-password").toCharArray();
    boolean hasKey = false;
    try {
      for (String alias : Collections.list(keyStore.aliases())) {
        if (keyStore.isKeyEntry(alias)) {
          keyStore.getKey(alias, keyPassword);
          hasKey = true;
        }
      }
    } catch (UnrecoverableKeyException e) {
      throw new ConfigException.Generic(
          "The key in the key store " + keyStorePath + " does not open with its password"
              + " (TASKGRID_TLS_KEY_PASSWORD, by default TASKGRID_TLS_KEYSTORE_PASSWORD).");
    } catch (GeneralSecurityException e) {
      throw new ConfigException.Generic("The key store " + keyStorePath + " cannot be read: " + e.getMessage());
    }
    if (!hasKey) {
      throw new ConfigException.Generic(
          "The key store " + keyStorePath + " holds no private key: it must hold this node's key"
              + " and its certificate, signed by the cluster's CA." + SEE);
    }
    KeyStore trustStore =
        load("trust store", trustStorePath, config.getString(SSL + "trust-store-password"));
    try {
      boolean hasCertificate = false;
      for (String alias : Collections.list(trustStore.aliases())) {
        hasCertificate |= trustStore.isCertificateEntry(alias);
      }
      if (!hasCertificate) {
        throw new ConfigException.Generic(
            "The trust store " + trustStorePath + " holds no certificate: it must hold the cluster"
                + " CA's certificate." + SEE);
      }
    } catch (GeneralSecurityException e) {
      throw new ConfigException.Generic("The trust store " + trustStorePath + " cannot be read: " + e.getMessage());
    }
  }

  private static KeyStore load(String what, String path, String password) {
    if (!Files.isReadable(Path.of(path))) {
      throw new ConfigException.Generic("The " + what + " " + path + " does not exist or cannot be read.");
    }
    try {
      return KeyStore.getInstance(Path.of(path).toFile(), password.toCharArray());
    } catch (IOException e) {
      boolean wrongPassword = e.getCause() instanceof UnrecoverableKeyException;
      throw new ConfigException.Generic(
          "The " + what + " " + path + (wrongPassword ? " does not open with its password" : " cannot be read")
              + (wrongPassword ? "" : ": " + e.getMessage()) + ".");
    } catch (GeneralSecurityException e) {
      throw new ConfigException.Generic("The " + what + " " + path + " cannot be read: " + e.getMessage());
    }
  }
}
