package org.taskgrid.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One answer of the gateway, however it was asked for (the JDK client or a raw socket).
 *
 * @param headers by lower-case name
 */
public record HttpResult(int status, Map<String, List<String>> headers, byte[] body) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public HttpResult {
    Map<String, List<String>> lowerCase = new TreeMap<>();
    headers.forEach(
        (name, values) -> lowerCase.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    headers = Map.copyOf(lowerCase);
    body = body.clone();
  }

  static HttpResult of(HttpResponse<byte[]> response) {
    return new HttpResult(response.statusCode(), response.headers().map(), response.body());
  }

  public Optional<String> header(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()).stream().findFirst();
  }

  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The body as JSON; fails the test with the body in the message when it is not. */
  public JsonNode json() {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON (status " + status + "): " + abbreviated(), e);
    }
  }

  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return status + " " + headers + " " + abbreviated();
  }

  private String abbreviated() {
    String text = text();
    return text.length() > 500 ? text.substring(0, 500) + "..." : text;
  }
}
