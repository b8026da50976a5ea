package org.taskgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The gateway's HTTP API as the commands use it, on the JDK's {@link HttpClient}: every error
 * answer becomes a {@link GatewayError}, no answer at all a {@link GatewayUnreachable} that says
 * where it tried.
 */
final class Gateway {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** For calls the gateway answers at once (status, starting a job); runs and streams have none. */
  private static final Duration QUICK_CALL_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final String token;
  private final HttpClient client;

  Gateway(URI base, String token) {
    this.base = base;
    this.token = token;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  URI base() {
    return base;
  }

  /** A value for one path segment or query parameter: everything but unreserved characters escaped. */
  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET a path the gateway answers at once; the answer as JSON. */
  JsonNode get(String path) {
    return json(send(request(path).timeout(QUICK_CALL_TIMEOUT).GET()));
  }

  /** POST a JSON body that the gateway answers at once; the answer as JSON. */
  JsonNode postForJson(String path, String json) {
    return json(post(path, json, QUICK_CALL_TIMEOUT));
  }

  /**
   * A successful answer that is not JSON comes from something else than a gateway (another web
   * server at that URL): as good as no gateway there.
   */
  private JsonNode json(String body) {
    JsonNode value = Json.parseOrNull(body);
    if (value == null) {
      String start = body.strip().length() > 200 ? body.strip().substring(0, 200) + "..." : body.strip();
      throw new GatewayUnreachable(
          "what answers at " + base + " is not a taskgrid gateway: its answer is not JSON: " + start, null);
    }
    return value;
  }

  /**
   * POST a JSON body; the answer's body as the gateway sent it. Without {@code timeout} the call
   * waits as long as the gateway takes (it bounds every call with its own timeout).
   */
  String post(String path, String json, Duration timeout) {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    if (timeout != null) {
      request.timeout(timeout);
    }
    return send(request);
  }

  /**
   * Opens a Server-Sent Events stream: its lines as they arrive. The caller closes the stream. No
   * timeout: the gateway sends a heartbeat while nothing happens.
   */
  Stream<String> eventLines(String path) {
    HttpRequest request = request(path).header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != 200) {
      String body;
      try (Stream<String> lines = response.body()) {
        body = lines.collect(Collectors.joining("\n"));
      }
      throw GatewayError.of(response.statusCode(), body, response.headers().firstValue("Retry-After"));
    }
    return response.body();
  }

  /** The lines of a stream one by one, turning a broken connection into {@link GatewayUnreachable}. */
  Iterator<String> lines(Stream<String> stream) {
    Iterator<String> lines = stream.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        try {
          return lines.hasNext();
        } catch (UncheckedIOException e) {
          throw new GatewayUnreachable("the connection to the gateway at " + base + " broke: " + why(e.getCause()), e);
        }
      }

      @Override
      public String next() {
        return lines.next();
      }
    };
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private String send(HttpRequest.Builder request) {
    HttpResponse<String> response =
        exchange(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() / 100 != 2) {
      throw GatewayError.of(response.statusCode(), response.body(), response.headers().firstValue("Retry-After"));
    }
    return response.body();
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return client.send(request, handler);
    } catch (HttpConnectTimeoutException e) {
      throw new GatewayUnreachable(
          "no connection to the gateway at " + base + " within " + CONNECT_TIMEOUT.toSeconds() + " s"
              + hint(), e);
    } catch (ConnectException e) {
      throw new GatewayUnreachable("cannot connect to the gateway at " + base + ": " + why(e) + hint(), e);
    } catch (HttpTimeoutException e) {
      throw new GatewayUnreachable("the gateway at " + base + " did not answer " + request.method() + " "
          + request.uri().getRawPath() + " within " + request.timeout().map(Duration::toSeconds).orElse(0L)
          + " s", e);
    } catch (IOException e) {
      throw new GatewayUnreachable("the call to the gateway at " + base + " failed: " + why(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayUnreachable("interrupted while calling the gateway at " + base, e);
    }
  }

  private static String hint() {
    return System.lineSeparator() + "  is it running there? Set the address with --url or TASKGRID_URL";
  }

  /** The JDK often leaves a ConnectException's message null: say what it is then. */
  private static String why(Throwable e) {
    if (e == null) {
      return "unknown";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }
    return message;
  }
}
