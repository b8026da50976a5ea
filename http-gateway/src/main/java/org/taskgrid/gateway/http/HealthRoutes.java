package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathPrefix;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import java.time.Duration;
import java.util.Map;
import org.taskgrid.core.routing.Router;

/**
 * {@code GET /health/live}: the process answers. {@code GET /health/ready}: this node is Up in the
 * cluster and some executor takes process work. Open even when API tokens are configured.
 */
public final class HealthRoutes {
  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final Duration askTimeout;
  private final Cluster cluster;

  public HealthRoutes(ActorSystem<?> system, ActorRef<Router.Command> router, Duration askTimeout) {
    this.system = system;
    this.router = router;
    this.askTimeout = askTimeout;
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
    MemberStatus member = cluster.selfMember().status();
    if (member != MemberStatus.up()) {
      return complete(status(false, "this node is " + member + " in the cluster, not Up"));
    }
    return onSuccess(
        AskPattern.ask(router, Router.GetStatus::new, askTimeout, system.scheduler()),
        routerStatus ->
            complete(
                routerStatus.anyActive()
                    ? status(true, "ready")
                    : status(false, "no executor takes process work yet")));
  }

  private static HttpResponse status(boolean ok, String status) {
    return Json.response(ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", status));
  }
}
