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
  private static final String SCHEME = "bearer";

  private final List<byte[]> digests;

  private ApiTokens(List<byte[]> digests) {
    this.digests = digests;
  }

  /**
   * Fails (and the gateway does not start) when tokens are set but none is usable: {@code
   * TASKGRID_API_TOKENS=","} or {@code " "} (a secret variable that was not set, say) must not
   * quietly turn authentication off.
   */
  public static ApiTokens fromConfig(Config root) {
    return fromSetting(
        root.getString("taskgrid.gateway.api-tokens"),
        System.getenv().containsKey("TASKGRID_API_TOKENS"));
  }

  /**
   * @param setting the comma-separated tokens
   * @param setOnPurpose whether the setting was given at all (the environment variable exists),
   *     even empty
   */
  static ApiTokens fromSetting(String setting, boolean setOnPurpose) {
    List<byte[]> digests =
        Arrays.stream(setting.split(","))
            .map(String::trim)
            .filter(token -> !token.isEmpty())
            .map(ApiTokens::digest)
            .toList();
    if (digests.isEmpty() && (setOnPurpose || !setting.isEmpty())) {
      throw new IllegalArgumentException(
          "API tokens are set (taskgrid.gateway.api-tokens or TASKGRID_API_TOKENS) but hold no"
              + " token; unset them to run without authentication");
    }
    return new ApiTokens(digests);
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
    // RFC 7235: the scheme is case-insensitive.
    String value = header.orElse("").trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(java.util.Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    byte[] given = digest(value.substring(space + 1).trim());
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
