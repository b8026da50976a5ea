package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractRequest;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Refuses requests that a web page made from a user's browser: the API has no cookies, but with no
 * tokens (the default) anyone who reaches the port may run tasks, and a page on any site can make
 * a browser POST to {@code http://127.0.0.1:8080} (a form POST needs no CORS preflight).
 *
 * <ul>
 *   <li>An {@code Origin} header (browsers send it on every cross-origin request and on every
 *       POST) must be the gateway's own origin ({@code http://} and the request's {@code Host}) or
 *       one of {@code taskgrid.gateway.allowed-origins}; {@code Sec-Fetch-Site: cross-site} is
 *       refused too. curl and other programs send neither, so they are not affected.
 *   <li>When the gateway listens on loopback, the {@code Host} must be a loopback name or one of
 *       {@code taskgrid.gateway.allowed-hosts}: a page that rebinds its own DNS name to 127.0.0.1
 *       is same-origin with itself, but its requests still carry its name as {@code Host}.
 * </ul>
 *
 * Both answer 403 {@code forbidden_origin}.
 */
final class OriginCheck {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final Set<String> allowedOrigins;
  /** Null when any Host is accepted (the gateway does not listen on loopback only). */
  private final Set<String> allowedHosts;

  OriginCheck(String listenHost, List<String> allowedOrigins, List<String> allowedHosts) {
    this.allowedOrigins =
        allowedOrigins.stream().map(OriginCheck::normalizedOrigin).collect(Collectors.toUnmodifiableSet());
    if (isLoopback(listenHost)) {
      Set<String> hosts =
          allowedHosts.stream().map(host -> host.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
      hosts.addAll(LOOPBACK_NAMES);
      hosts.add(listenHost.toLowerCase(Locale.ROOT));
      this.allowedHosts = Set.copyOf(hosts);
    } else {
      this.allowedHosts = null;
    }
  }

  Route check(Supplier<Route> inner) {
    return extractRequest(
        request -> {
          Optional<String> refusal = refusal(request);
          return refusal.isPresent()
              ? complete(
                  ErrorResponses.response(StatusCodes.FORBIDDEN, "forbidden_origin", refusal.get(), null))
              : inner.get();
        });
  }

  /** Why the request is refused, or empty. */
  Optional<String> refusal(HttpRequest request) {
    String host = request.getHeader("Host").map(h -> h.value()).orElse("");
    if (allowedHosts != null && !host.isEmpty() && !allowedHosts.contains(hostName(host))) {
      return Optional.of(
          "this gateway listens on loopback and answers only requests addressed to it by a loopback"
              + " name (or one of taskgrid.gateway.allowed-hosts), not to '" + printable(host) + "'");
    }
    Optional<String> origin = request.getHeader("Origin").map(h -> h.value().trim());
    if (origin.isPresent()) {
      String given = normalizedOrigin(origin.get());
      boolean own =
          given.equals(normalizedOrigin("http://" + host)) || given.equals(normalizedOrigin("https://" + host));
      if (!own && !allowedOrigins.contains(given)) {
        return Optional.of(
            "requests from web pages of origin '" + printable(origin.get()) + "' are refused; list it in"
                + " taskgrid.gateway.allowed-origins to allow it");
      }
      return Optional.empty();
    }
    boolean crossSite =
        request.getHeader("Sec-Fetch-Site").map(h -> h.value().trim().equalsIgnoreCase("cross-site")).orElse(false);
    if (crossSite) {
      return Optional.of("requests from web pages of other sites are refused");
    }
    return Optional.empty();
  }

  /** The name in a Host header, without its port: {@code a.b:80} and {@code [::1]:80}. */
  private static String hostName(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    if (lower.startsWith("[")) {
      int end = lower.indexOf(']');
      return end < 0 ? lower : lower.substring(0, end + 1);
    }
    int colon = lower.lastIndexOf(':');
    return colon < 0 ? lower : lower.substring(0, colon);
  }

  private static boolean isLoopback(String listenHost) {
    String host = listenHost.toLowerCase(Locale.ROOT);
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  /** scheme://host[:port], lower case, without a default port or a trailing slash. */
  private static String normalizedOrigin(String origin) {
    try {
      URI uri = URI.create(origin.trim());
      if (uri.getScheme() == null || uri.getHost() == null) {
        return origin.trim().toLowerCase(Locale.ROOT);
      }
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
      return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return origin.trim().toLowerCase(Locale.ROOT);
    }
  }

  /** A header value fit for a message: short, and only printable ASCII. */
  private static String printable(String value) {
    String cut = value.length() > 100 ? value.substring(0, 100) + "..." : value;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
