package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.withRequestTimeoutResponse;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Flow;
import org.taskgrid.gateway.GatewaySettings;

/**
 * Every route of the API in one tree, every failure of it answered by {@link ErrorResponses}, and
 * the flow that serves it on each connection.
 *
 * <p>The tree is built once: Akka HTTP calls a directive's inner supplier for every request, so
 * each supplier here hands back a route built beforehand instead of building the tree below it
 * (and the error handlers with it) again per request.
 */
public final class HttpApi {
  private HttpApi() {}

  public static Route route(
      GatewaySettings settings,
      ApiTokens tokens,
      HttpMetrics httpMetrics,
      HealthRoutes health,
      MetricsRoutes metrics,
      OpenApiRoutes openApi,
      ClusterRoutes cluster,
      TaskRoutes tasks,
      JobRoutes jobs) {
    // The paths of these routes do not overlap, so their order changes no answer; the busiest
    // come first, since every alternative tried before the one that matches costs a rejection.
    Route api = concat(tasks.route(), jobs.route(), cluster.route(), openApi.route());
    Route guarded = tokens.require(() -> api);
    Route all =
        concat(pathPrefix("v1", () -> guarded), health.route(), metrics.route(), DashboardRoutes.route());
    OriginCheck origins =
        new OriginCheck(settings.host(), settings.allowedOrigins(), settings.allowedHosts());
    Route checked = origins.check(() -> all);
    RejectionHandler rejections = ErrorResponses.rejectionHandler();
    Route rejectionsAnswered = handleRejections(rejections, () -> checked);
    ExceptionHandler exceptions = ErrorResponses.exceptionHandler();
    Route exceptionsAnswered = handleExceptions(exceptions, () -> rejectionsAnswered);
    Route timeoutAnswered =
        withRequestTimeoutResponse(ErrorResponses::requestTimeout, () -> exceptionsAnswered);
    // Outermost, so that every answer is counted: errors, rejections and 404s included.
    return httpMetrics.timed(() -> timeoutAnswered);
  }

  /**
   * What serves one connection: the route, behind {@link RequestHeadTimeout}. Akka materializes
   * it once per connection.
   */
  public static Flow<HttpRequest, HttpResponse, NotUsed> connectionFlow(
      Route route, GatewaySettings settings, ActorSystem<?> system) {
    return RequestHeadTimeout.bidi(settings.requestHeadTimeout()).join(route.flow(system));
  }
}
