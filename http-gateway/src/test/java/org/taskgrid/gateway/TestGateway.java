package org.taskgrid.gateway;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.taskgrid.core.NodeConfig;

/**
 * A real gateway in this JVM, started once per test class the way {@link GatewayMain} starts one:
 * register it with {@code @RegisterExtension static final TestGateway gateway = TestGateway.create();}.
 * It binds 127.0.0.1 on a free port, is ready (Up, answering) before the first test, and is
 * terminated after the last one, whatever the tests did. Its job store (H2, as the default) lives
 * in a temporary directory of its own, deleted at the end: gateways of parallel tests never share
 * a database file (H2 locks it) nor the default {@code data/}.
 */
public final class TestGateway implements BeforeAllCallback, AfterAllCallback {
  /** How long any one request may take, unless a test says otherwise. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private static final Duration START_WITHIN = Duration.ofSeconds(20);
  private static final Duration READY_WITHIN = Duration.ofSeconds(20);
  private static final Duration TERMINATE_WITHIN = Duration.ofSeconds(30);
  /**
   * The JDK client keeps idle connections for 20 minutes and may reuse one in the very moment the
   * gateway closes it for sending no request within request-head-timeout (10 s): a POST on it fails
   * with "header parser received no bytes". A longer timeout keeps tests clear of that race;
   * RequestHeadTimeoutTest sets its own.
   */
  private static final String LOOPBACK_ANY_PORT =
      """
      taskgrid.gateway.http.request-head-timeout = 120s
      taskgrid.gateway.http.host = "127.0.0.1"
      taskgrid.gateway.http.port = 0
      akka.remote.artery.canonical.hostname = "127.0.0.1"
      akka.remote.artery.canonical.port = 0
      """;

  private final Config overrides;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ActorSystem<Void> system;
  private int port;
  private Path dataDir;
  /** Whether this created its data directory, which it then deletes. */
  private boolean ownDataDir;

  private TestGateway(Config overrides) {
    this.overrides = overrides;
  }

  public static TestGateway create() {
    return withConfig("");
  }

  /** A gateway with some settings of its own (HOCON), above the test defaults. */
  public static TestGateway withConfig(String hocon) {
    return new TestGateway(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseString(LOOPBACK_ANY_PORT)));
  }

  /** A gateway whose job store is in {@code dataDir} (kept at the end): to start one again on it. */
  public static TestGateway onData(Path dataDir, String hocon) {
    TestGateway gateway = withConfig(hocon);
    gateway.dataDir = dataDir;
    return gateway;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  /** Starts the gateway (what {@link #beforeAll} does), for a test that starts it itself. */
  public void start() throws Exception {
    Config config = overrides;
    if (!overrides.hasPath("taskgrid.store.data-dir")) {
      if (dataDir == null) {
        dataDir = Files.createTempDirectory("taskgrid-test-data-");
        ownDataDir = true;
      }
      config =
          overrides.withFallback(
              ConfigFactory.parseMap(Map.of("taskgrid.store.data-dir", dataDir.toString())));
    }
    system = ActorSystem.create(Behaviors.empty(), "taskgrid", NodeConfig.load(Map.of(), config));
    try {
      ServerBinding binding =
          Gateway.init(system)
              .toCompletableFuture()
              .get(START_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
      port = binding.localAddress().getPort();
      awaitReady();
    } catch (Exception | Error e) {
      try {
        terminate();
      } catch (Exception alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    terminate();
  }

  /** Stops the gateway (its store closes with it); deletes the data it created. */
  public void terminate() throws Exception {
    try {
      if (system != null) {
        system.terminate();
        system
            .getWhenTerminated()
            .toCompletableFuture()
            .get(TERMINATE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        system = null;
      }
    } finally {
      if (ownDataDir && dataDir != null) {
        deleteTree(dataDir);
        dataDir = null;
        ownDataDir = false;
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Polls {@code GET /health/ready} until it answers 200, for {@link #READY_WITHIN} at most. */
  private void awaitReady() throws InterruptedException {
    Await.atMost(READY_WITHIN, "the gateway ready")
        .every(Duration.ofMillis(100))
        .until(
            () -> send(request("/health/ready").timeout(Duration.ofSeconds(2)).GET()),
            ready -> ready.status() == 200);
  }

  public int port() {
    return port;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  /** A request to the gateway with the default timeout; the caller sets method and body. */
  public HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT);
  }

  public HttpResult send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return HttpResult.of(client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray()));
  }

  /** Sends without waiting for the answer: for many calls at once. */
  public CompletableFuture<HttpResult> sendAsync(HttpRequest.Builder request) {
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(HttpResult::of);
  }

  public HttpResult get(String pathAndQuery) throws IOException, InterruptedException {
    return send(request(pathAndQuery).GET());
  }

  public HttpResult delete(String pathAndQuery) throws IOException, InterruptedException {
    return send(request(pathAndQuery).DELETE());
  }

  /** The client the helpers use, for what they do not cover (streams, many calls at once). */
  public HttpClient client() {
    return client;
  }

  /** POSTs a JSON body as {@code application/json}. */
  public HttpResult post(String pathAndQuery, String json) throws IOException, InterruptedException {
    return post(pathAndQuery, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  public HttpResult post(String pathAndQuery, String contentType, byte[] body)
      throws IOException, InterruptedException {
    return send(
        request(pathAndQuery)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  /** Writes raw bytes of HTTP/1.1 to the gateway and reads one answer. */
  public HttpResult raw(String request) throws IOException {
    return RawHttp.exchange(port, request, REQUEST_TIMEOUT);
  }

  public HttpResult raw(byte[] request) throws IOException {
    return RawHttp.exchange(port, request, REQUEST_TIMEOUT);
  }
}
