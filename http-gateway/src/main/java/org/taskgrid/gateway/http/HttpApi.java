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
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Flow;
import org.taskgrid.gateway.GatewaySettings;

/**
 * Every route of the API in one tree, every failure of it answered by {@link ErrorResponses}, and
 * the flow that serves it on each connection.
 */
public final class HttpApi {
  private HttpApi() {}

  public static Route route(
      GatewaySettings settings,
      ApiTokens tokens,
      HealthRoutes health,
      ClusterRoutes cluster,
      TaskRoutes tasks,
      JobRoutes jobs) {
    OriginCheck origins =
        new OriginCheck(settings.host(), settings.allowedOrigins(), settings.allowedHosts());
    return withRequestTimeoutResponse(
        ErrorResponses::requestTimeout,
        () ->
            handleExceptions(
                ErrorResponses.exceptionHandler(),
                () ->
                    handleRejections(
                        ErrorResponses.rejectionHandler(),
                        () ->
                            origins.check(
                                () ->
                                    concat(
                                        DashboardRoutes.route(),
                                        health.route(),
                                        pathPrefix(
                                            "v1",
                                            () ->
                                                tokens.require(
                                                    () ->
                                                        concat(
                                                            cluster.route(),
                                                            tasks.route(),
                                                            jobs.route()))))))));
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
