package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.path;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.taskgrid.core.metrics.PartMetrics;
import org.taskgrid.core.metrics.RouterGauges;
import org.taskgrid.core.routing.Router;

/**
 * {@code GET /metrics}: this gateway's meters in the Prometheus text format, as Micrometer writes
 * them. Open like {@code /health} unless {@code taskgrid.metrics.require-token} is on (then it
 * needs a bearer token, as {@code /v1} does). The router's executors are read at each scrape, so
 * the gauges never lag the router.
 */
public final class MetricsRoutes {
  /** The Prometheus text exposition format, version 0.0.4. */
  static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final PrometheusMeterRegistry prometheus;
  private final ApiTokens tokens;
  private final boolean requireToken;
  private final Duration askTimeout;
  private final RouterGauges routerGauges;

  public MetricsRoutes(
      ActorSystem<?> system,
      ActorRef<Router.Command> router,
      PrometheusMeterRegistry prometheus,
      ApiTokens tokens,
      boolean requireToken,
      Duration askTimeout) {
    this.system = system;
    this.router = router;
    this.prometheus = prometheus;
    this.tokens = tokens;
    this.requireToken = requireToken;
    this.askTimeout = askTimeout;
    this.routerGauges = RouterGauges.of(system);
    // Registered now, so that a scrape shows the parts' counters at zero before the first part.
    PartMetrics.of(system);
  }

  public Route route() {
    return path(
        "metrics", () -> get(() -> requireToken ? tokens.require(this::scrape) : scrape()));
  }

  private Route scrape() {
    return onSuccess(
        AskPattern.ask(router, Router.GetStatus::new, askTimeout, system.scheduler()),
        status -> {
          routerGauges.update(status);
          return complete(
              HttpResponse.create().withEntity(HttpEntities.create(PROMETHEUS_TEXT, prometheus.scrape().getBytes(StandardCharsets.UTF_8))));
        });
  }
}
