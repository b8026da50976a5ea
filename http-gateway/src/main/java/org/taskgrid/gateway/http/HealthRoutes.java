package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathPrefix;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import java.util.Map;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: this node is Up in the
 * cluster, so its executor takes work. Open even when API tokens are configured.
 */
public final class HealthRoutes {
  private final Cluster cluster;

  public HealthRoutes(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
  }

  public Route route() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path("live", () -> get(() -> complete(status(true, "live")))),
                path("ready", () -> get(this::ready))));
  }

  private Route ready() {
    MemberStatus status = cluster.selfMember().status();
    boolean up = status == MemberStatus.up();
    return complete(status(up, up ? "ready" : "member status is " + status));
  }

  private static HttpResponse status(boolean ok, String status) {
    return HttpResponse.create()
        .withStatus(ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(Map.of("status", status)));
  }
}
