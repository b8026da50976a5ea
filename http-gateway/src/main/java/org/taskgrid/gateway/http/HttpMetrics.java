package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.mapResponse;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.server.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  /**
   * The tags of one series. Templates, methods and statuses are few, so the map stays small.
   * Its own equals and hashCode: the generated ones (method handles) showed in the profile.
   */
  private record Series(String route, String method, int status) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Series series
          && status == series.status
          && route.equals(series.route)
          && method.equals(series.method);
    }

    @Override
    public int hashCode() {
      return (route.hashCode() * 31 + method.hashCode()) * 31 + status;
    }
  }

  private final MeterRegistry registry;
  private final RouteTemplates templates;
  /**
   * Each series' timer, found by a map lookup: building and registering it per request (its tags
   * sorted, its id hashed, the registry's lock) was a visible share of a small call's time.
   */
  private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

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
                Series series = new Series(route, method, response.status().intValue());
                Timer timer = timers.get(series);
                if (timer == null) {
                  timer = timers.computeIfAbsent(series, this::register);
                }
                timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                return response;
              },
              inner);
        });
  }

  private Timer register(Series series) {
    return Timer.builder("taskgrid.http.requests")
        .description("HTTP requests by route template, method and status")
        .tag("route", series.route())
        .tag("method", series.method())
        .tag("status", Integer.toString(series.status()))
        .register(registry);
  }
}
