package org.taskgrid.worker;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.taskgrid.core.metrics.NodeMetrics;

/**
 * A worker's own {@code GET /metrics} (a worker has no HTTP API): its meters in the Prometheus
 * text format, on a small port of its own. The JDK's HTTP server is enough for a scrape every
 * few seconds: one thread of its own, nothing on the actors' threads. Stops with the node.
 */
public final class MetricsServer {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final PrometheusMeterRegistry prometheus;

  private MetricsServer(HttpServer server, PrometheusMeterRegistry prometheus) {
    this.server = server;
    this.prometheus = prometheus;
  }

  /**
   * Exports the node's meters and serves them at {@code address} (port 0: any free port).
   *
   * @throws IOException when the port cannot be bound (taken, or a host not of this machine)
   */
  public static MetricsServer start(ActorSystem<?> system, InetSocketAddress address)
      throws IOException {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpServer server = HttpServer.create(address, 0);
    NodeMetrics.get(system).export(prometheus);
    MetricsServer metrics = new MetricsServer(server, prometheus);
    server.createContext("/", metrics::handle);
    server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "taskgrid-metrics-http");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "stop-metrics-port",
            () -> {
              metrics.stop();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
    return metrics;
  }

  /** Where it listens: the port bound, also when any free port was asked for. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public void stop() {
    server.stop(0);
    ((ExecutorService) server.getExecutor()).shutdown();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        answer(exchange, 404, "application/json", error("not_found", "no such resource; try GET /metrics"));
      } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().add("Allow", "GET");
        answer(exchange, 405, "application/json", error("method_not_allowed", "this resource answers GET"));
      } else {
        answer(exchange, 200, PROMETHEUS_TEXT, prometheus.scrape());
      }
    }
  }

  private static void answer(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String error(String code, String message) {
    return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}";
  }
}
