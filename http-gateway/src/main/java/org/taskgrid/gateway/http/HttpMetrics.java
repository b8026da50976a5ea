package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.mapResponse;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.server.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.taskgrid.core.metrics.NodeMetrics;

/**
 * {@code taskgrid.http.requests}: a timer of every request, tagged with the route template it
 * matched ({@code /v1/tasks/{name}}, never the raw path, so that a series is a route and not a
 * job id), the method and the status of the answer. A request that matches no route is counted
 * under {@link RouteTemplates#UNMATCHED}. Timed to the answer's headers: an event stream counts
 * once it starts. Akka HTTP's own request-timeout answer bypasses the routes and is not counted;
 * parts that time out are, in {@code taskgrid.parts}.
 */
public final class HttpMetrics {
  private final MeterRegistry registry;
  private final RouteTemplates templates;

  public HttpMetrics(ActorSystem<?> system, RouteTemplates templates) {
    this.registry = NodeMetrics.get(system).registry();
    this.templates = templates;
  }

  public Route timed(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          String route = templates.match(request.getUri().path());
          String method = request.method().name();
          return mapResponse(
              response -> {
                Timer.builder("taskgrid.http.requests")
                    .description("HTTP requests by route template, method and status")
                    .tag("route", route)
                    .tag("method", method)
                    .tag("status", Integer.toString(response.status().intValue()))
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return response;
              },
              inner);
        });
  }
}
