package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.entity;
import static akka.http.javadsl.server.Directives.extractRequestEntity;

import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/** How every route reads a request: a JSON body, and strict query parameters. */
final class Requests {
  private Requests() {}

  /** Reads the body as JSON: the media type must be JSON-like, the document well formed. */
  static Route jsonBody(Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          checkMediaType(entity);
          return entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(parse(bytes)));
        });
  }

  /** An unknown parameter is an error, not ignored: a typo must not silently change a call. */
  static void checkQuery(Map<String, List<String>> query, Set<String> known) {
    for (String parameter : query.keySet()) {
      if (!known.contains(parameter)) {
        throw ApiError.invalidInput(
            "unknown query parameter '" + parameter + "'; known are "
                + String.join(", ", new TreeSet<>(known)),
            parameter);
      }
    }
  }

  /** The parameter's one value, or null when absent. */
  static String single(Map<String, List<String>> query, String parameter) {
    List<String> values = query.getOrDefault(parameter, List.of());
    if (values.size() > 1) {
      throw ApiError.invalidInput("query parameter '" + parameter + "' is given twice", parameter);
    }
    return values.isEmpty() ? null : values.get(0);
  }

  private static void checkMediaType(RequestEntity entity) {
    MediaType type = entity.getContentType().mediaType();
    boolean json =
        type.equals(MediaTypes.APPLICATION_JSON)
            || (type.mainType().equals("application") && type.subType().endsWith("+json"))
            // What curl -d sends, and what a request without Content-Type is taken to be.
            || type.equals(MediaTypes.APPLICATION_X_WWW_FORM_URLENCODED)
            || type.equals(MediaTypes.APPLICATION_OCTET_STREAM);
    if (!json) {
      throw ApiError.unsupportedMediaType(
          "the body must be application/json, not " + type.mainType() + "/" + type.subType());
    }
  }

  private static JsonNode parse(ByteString bytes) {
    try {
      return Json.parse(bytes.toArray());
    } catch (IOException e) {
      throw ApiError.malformedJson("the body is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
