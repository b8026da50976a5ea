package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.getFromResource;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.pathSingleSlash;
import static akka.http.javadsl.server.Directives.respondWithHeaders;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import java.util.List;

/**
 * {@code GET /}: the dashboard, one static page from the jar ({@code taskgrid/dashboard/}) with its
 * script and style under {@code /dashboard/} (only these three files: nothing else of the jar is
 * reachable). Open like health even with API tokens on: the page holds no data; its script asks
 * {@code /v1} for everything, with the token the person gives it.
 */
public final class DashboardRoutes {
  private static final String RESOURCES = "taskgrid/dashboard/";

  /**
   * Nothing but this gateway: no other origin's script, style or connection (so no CDN and no
   * network at run time), no framing (clickjacking), no inline script (an injected one won't run).
   * no-cache: a new jar's page is fetched again rather than an old one kept.
   */
  private static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                  + "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("Cache-Control", "no-cache"));

  private DashboardRoutes() {}

  public static Route route() {
    return concat(
        pathSingleSlash(() -> file("index.html")),
        pathPrefix(
            "dashboard",
            () ->
                concat(
                    path("dashboard.js", () -> file("dashboard.js")),
                    path("dashboard.css", () -> file("dashboard.css")))));
  }

  private static Route file(String name) {
    return get(() -> respondWithHeaders(HEADERS, () -> getFromResource(RESOURCES + name)));
  }
}
