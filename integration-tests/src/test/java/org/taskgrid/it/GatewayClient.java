package org.taskgrid.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Calls a gateway's HTTP API on 127.0.0.1, every call bounded in time; with a token if given one. */
final class GatewayClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /**
   * An answer: its status, Content-Type (or "") and body, and its headers (keys in lower case).
   * Status -1 stands for a call that got no answer at all; the body says why.
   */
  record Reply(int status, String contentType, String body, Map<String, List<String>> headers) {
    Reply(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }

    /** A call that got no answer: it timed out, or its connection failed. */
    static Reply none(Throwable why) {
      return new Reply(-1, "", "no answer: " + why, Map.of());
    }

    /** The first value of the header, if the answer has it. */
    Optional<String> header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
    }

    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        throw new AssertionError("not JSON (status " + status + "): " + body, e);
      }
    }

    /** The body cut to its first 2000 characters: a failure message must stay readable. */
    @Override
    public String toString() {
      String shown = body.length() <= 2000 ? body : body.substring(0, 2000) + "... (" + body.length() + " chars)";
      return status + " " + contentType + " " + shown;
    }
  }

  private final int port;
  /** Sent as {@code Authorization: Bearer}; null for none. */
  private final String token;

  GatewayClient(int port) {
    this(port, null);
  }

  GatewayClient(int port, String token) {
    this.port = port;
    this.token = token;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  Reply get(String path) throws IOException, InterruptedException {
    return get(path, REQUEST_TIMEOUT);
  }

  Reply get(String path, Duration timeout) throws IOException, InterruptedException {
    return send(request(path).timeout(timeout).GET().build());
  }

  Reply delete(String path) throws IOException, InterruptedException {
    return send(request(path).timeout(REQUEST_TIMEOUT).DELETE().build());
  }

  Reply post(String path, String json) throws IOException, InterruptedException {
    return post(path, json, REQUEST_TIMEOUT);
  }

  Reply post(String path, String json, Duration timeout) throws IOException, InterruptedException {
    return send(
        request(path)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private static Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    Map<String, List<String>> headers = new TreeMap<>();
    response
        .headers()
        .map()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return new Reply(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body(),
        Map.copyOf(headers));
  }
}
