package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.handleRejections;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.withRequestTimeoutResponse;

import akka.http.javadsl.server.Route;

/** Every route of the API in one tree, every failure of it answered by {@link ErrorResponses}. */
public final class HttpApi {
  private HttpApi() {}

  public static Route route(
      ApiTokens tokens,
      HttpMetrics httpMetrics,
      HealthRoutes health,
      MetricsRoutes metrics,
      OpenApiRoutes openApi,
      ClusterRoutes cluster,
      TaskRoutes tasks,
      JobRoutes jobs) {
    // Outermost, so that every answer is counted: errors, rejections and 404s included.
    return httpMetrics.timed(
        () ->
            withRequestTimeoutResponse(
                ErrorResponses::requestTimeout,
                () ->
                    handleExceptions(
                        ErrorResponses.exceptionHandler(),
                        () ->
                            handleRejections(
                                ErrorResponses.rejectionHandler(),
                                () ->
                                    concat(
                                        DashboardRoutes.route(),
                                        health.route(),
                                        metrics.route(),
                                        pathPrefix(
                                            "v1",
                                            () ->
                                                tokens.require(
                                                    () ->
                                                        concat(
                                                            openApi.route(),
                                                            cluster.route(),
                                                            tasks.route(),
                                                            jobs.route()))))))));
  }
}
