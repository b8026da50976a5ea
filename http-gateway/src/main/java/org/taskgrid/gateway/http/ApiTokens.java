package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractRequest;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Bearer tokens for {@code /v1/**} when {@code taskgrid.gateway.api-tokens} (TASKGRID_API_TOKENS,
 * comma-separated) names any; health stays open. Tokens are compared by their SHA-256 digests
 * with {@link MessageDigest#isEqual}, in constant time, and every token is tried, so the time of
 * an answer tells nothing about how close a guess was. Tokens are never logged.
 */
public final class ApiTokens {
  private static final String PREFIX = "Bearer ";

  private final List<byte[]> digests;

  private ApiTokens(List<byte[]> digests) {
    this.digests = digests;
  }

  public static ApiTokens fromConfig(Config root) {
    return new ApiTokens(
        Arrays.stream(root.getString("taskgrid.gateway.api-tokens").split(","))
            .map(String::trim)
            .filter(token -> !token.isEmpty())
            .map(ApiTokens::digest)
            .toList());
  }

  public boolean enabled() {
    return !digests.isEmpty();
  }

  /** Answers 401 unauthorized to a request without a valid token. */
  Route require(Supplier<Route> inner) {
    if (!enabled()) {
      return inner.get();
    }
    return extractRequest(
        request ->
            authorized(request)
                ? inner.get()
                : complete(
                    ErrorResponses.response(
                            StatusCodes.UNAUTHORIZED,
                            "unauthorized",
                            "this API needs an 'Authorization: Bearer <token>' header with a valid token",
                            null)
                        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "taskgrid")))));
  }

  private boolean authorized(HttpRequest request) {
    Optional<String> header =
        request.getHeader("Authorization").map(akka.http.javadsl.model.HttpHeader::value);
    if (header.isEmpty() || !header.get().startsWith(PREFIX)) {
      return false;
    }
    byte[] given = digest(header.get().substring(PREFIX.length()).trim());
    boolean match = false;
    for (byte[] token : digests) {
      match |= MessageDigest.isEqual(given, token);
    }
    return match;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
