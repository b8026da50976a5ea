package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.extractMaterializer;
import static akka.http.javadsl.server.Directives.extractRequestEntity;
import static akka.http.javadsl.server.Directives.handleExceptions;
import static akka.http.javadsl.server.Directives.mapRouteResultFuture;
import static akka.http.javadsl.server.Directives.onSuccess;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.taskgrid.gateway.admission.JsonSize;
import org.taskgrid.gateway.admission.MemoryBudget;

/** How every route reads a request: a JSON body, and strict query parameters. */
final class Requests {
  /**
   * Runs a completion on the thread that completed the stage. Only for callbacks that take a short
   * lock at most: it is explicit, so {@code CompletableFuture}'s default executor (a thread per
   * task on two cores) never runs them.
   */
  private static final Executor SAME_THREAD = Runnable::run;

  /** Built once: a handler per request was a measurable share of a small call's time. */
  private static final ExceptionHandler EXCEPTIONS = ErrorResponses.exceptionHandler();

  private Requests() {}

  /**
   * Reads the body as JSON (the media type must be JSON-like, the document well formed), charged
   * to the memory budget: its declared length before a byte is read, then the parsed tree's
   * estimate ({@link JsonSize}) once it is built. The charge is released when {@code inner}'s route
   * has answered, unless it {@link MemoryBudget.Charge#handOver hands it over} (a job keeps it).
   *
   * <p>A body over {@code max-body-size} is answered 413, but only once it has been read to its
   * end (and thrown away, up to Akka's {@code max-content-length}): a server that closes a
   * connection with unread bytes makes the client's TCP stack reset it, and the client may then
   * lose the answer it has not read yet.
   */
  static Route jsonBody(
      BodySettings settings, BiFunction<JsonNode, MemoryBudget.Charge, Route> inner) {
    return extractRequestEntity(
        entity -> {
          checkMediaType(entity);
          long declared = entity.getContentLengthOption().orElse(settings.maxBodyBytes());
          MemoryBudget.Charge charge =
              charge(settings.budget(), Math.min(declared, settings.maxBodyBytes()));
          return mapRouteResultFuture(
              // Releasing is a short lock: done on whichever thread ended the route, rather than
              // a task of its own on the dispatcher for every request.
              answered -> answered.whenCompleteAsync((result, error) -> charge.release(), SAME_THREAD),
              () ->
                  handleExceptions(
                      EXCEPTIONS,
                      () ->
                          entity instanceof HttpEntity.Strict strict
                              ? inner.apply(parse(bounded(strict.getData(), settings.maxBodyBytes()), charge), charge)
                              : extractMaterializer(
                                  materializer ->
                                      onSuccess(
                                          read(entity, settings, materializer),
                                          bytes -> inner.apply(parse(bytes, charge), charge)))));
        });
  }

  /**
   * The bytes of a body that Akka HTTP has read whole already (a small body, most of them): no
   * stream to run, which cost a stream actor per request. A longer one is refused as {@link #read}
   * does, and it has been read to its end already.
   */
  private static ByteString bounded(ByteString data, long max) {
    if (data.size() > max) {
      throw ApiError.tooLarge("the body is " + data.size() + " bytes, more than the " + max + " allowed");
    }
    return data;
  }

  /** How {@link #jsonBody} reads: the limit, the budget, where a streamed body's end is handled. */
  record BodySettings(long maxBodyBytes, MemoryBudget budget, Executor executor) {}

  /**
   * The body's bytes up to {@code max}, for a body that arrives in a stream; a longer body is read
   * to its end, then refused.
   */
  private static CompletionStage<ByteString> read(
      RequestEntity entity, BodySettings settings, Materializer materializer) {
    return entity
        .getDataBytes()
        .runFold(new BoundedBody(settings.maxBodyBytes()), BoundedBody::add, materializer)
        .thenApplyAsync(BoundedBody::bytes, settings.executor());
  }

  /** Keeps the bytes of a body up to a limit; beyond it only counts them. */
  private static final class BoundedBody {
    private final long max;
    private final ByteStringBuilder kept = new ByteStringBuilder();
    private long length;

    BoundedBody(long max) {
      this.max = max;
    }

    BoundedBody add(ByteString chunk) {
      length += chunk.size();
      if (length <= max) {
        kept.append(chunk);
      }
      return this;
    }

    ByteString bytes() {
      if (length > max) {
        throw ApiError.tooLarge("the body is " + length + " bytes, more than the " + max + " allowed");
      }
      return kept.result();
    }
  }

  /** Charges the budget, or refuses: 503 overloaded when it is full, 413 when it never fits. */
  static MemoryBudget.Charge charge(MemoryBudget budget, long bytes) {
    try {
      return budget.charge(bytes);
    } catch (MemoryBudget.Refused refused) {
      throw refusal(refused);
    }
  }

  /** Makes {@code charge} hold {@code bytes}, or refuses as {@link #charge} does. */
  static void resize(MemoryBudget.Charge charge, long bytes) {
    try {
      charge.resize(bytes);
    } catch (MemoryBudget.Refused refused) {
      throw refusal(refused);
    }
  }

  private static ApiError refusal(MemoryBudget.Refused refused) {
    return refused.refusal() == MemoryBudget.Refusal.NEVER_FITS
        ? ApiError.tooLarge(refused.getMessage())
        : ApiError.overloaded(refused.getMessage());
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
            // What curl -d sends, and what a request without Content-Type is taken to be. A web
            // page can send these without a CORS preflight: OriginCheck refuses those.
            || type.equals(MediaTypes.APPLICATION_X_WWW_FORM_URLENCODED)
            || type.equals(MediaTypes.APPLICATION_OCTET_STREAM);
    if (!json) {
      throw ApiError.unsupportedMediaType(
          "the body must be application/json, not " + type.mainType() + "/" + type.subType());
    }
  }

  /** Parses, then charges the tree (and lets go of the raw bytes' share). */
  private static JsonNode parse(ByteString bytes, MemoryBudget.Charge charge) {
    JsonNode body;
    try {
      body = Json.parse(bytes.toArray());
    } catch (IOException e) {
      throw ApiError.malformedJson("the body is not valid JSON: " + firstLine(e.getMessage()));
    }
    resize(charge, JsonSize.of(body).heapBytes());
    return body;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
