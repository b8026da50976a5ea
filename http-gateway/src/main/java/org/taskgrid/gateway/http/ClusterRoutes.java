package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.path;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ClusterEvent.CurrentClusterState;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.taskgrid.core.routing.Router;

/** {@code GET /v1/cluster}: the members of the cluster and the executors the router sees. */
public final class ClusterRoutes {

  record MemberView(String address, List<String> roles, String status) {}

  record ClusterView(String self, List<MemberView> members, List<Router.ExecutorStatus> executors) {}

  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final Duration askTimeout;
  private final Cluster cluster;

  public ClusterRoutes(ActorSystem<?> system, ActorRef<Router.Command> router, Duration askTimeout) {
    this.system = system;
    this.router = router;
    this.askTimeout = askTimeout;
    this.cluster = Cluster.get(system);
  }

  public Route route() {
    return path(
        "cluster",
        () ->
            get(
                () ->
                    onSuccess(
                        AskPattern.ask(router, Router.GetStatus::new, askTimeout, system.scheduler()),
                        status -> complete(Json.response(StatusCodes.OK, view(status))))));
  }

  private ClusterView view(Router.Status status) {
    CurrentClusterState state = cluster.state();
    Set<Member> unreachable = new HashSet<>();
    state.getUnreachable().forEach(unreachable::add);
    List<MemberView> members =
        StreamSupport.stream(state.getMembers().spliterator(), false)
            .map(
                member ->
                    new MemberView(
                        member.address().toString(),
                        member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList(),
                        unreachable.contains(member)
                            ? "unreachable"
                            : member.status().toString().toLowerCase(Locale.ROOT)))
            .toList();
    return new ClusterView(cluster.selfMember().address().toString(), members, status.executors());
  }
}
