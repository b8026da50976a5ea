package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.entity;
import static akka.http.javadsl.server.Directives.extractRequestEntity;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.parameterMultiMap;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.post;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.RequestEntity;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.gateway.GatewaySettings;

/** {@code GET /v1/tasks} and {@code POST /v1/tasks/{name}}: run one task and wait for it. */
public final class TaskRoutes {
  private static final Set<String> QUERY_PARAMETERS = Set.of("mode", "timeout");
  private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s|m)");
  /** How much longer than the task's own timeout the gateway waits for the executor's answer. */
  private static final Duration ANSWER_GRACE = Duration.ofSeconds(2);
  /** What a RunPart holds besides its input: ids, task name, the reply address. */
  private static final long ENVELOPE_ROOM_BYTES = 16 * 1024;
  private static final CBORMapper CBOR = new CBORMapper();

  /** One entry of {@code GET /v1/tasks}. */
  record TaskDescription(
      String name, String description, String defaultMode, List<String> modes, boolean splittable) {}

  /** The answer of a task that ran. */
  record TaskAnswer(
      String task, JsonNode result, String mode, String node, String thread, int attempts, long millis) {}

  private final ActorSystem<?> system;
  private final TaskRegistry registry;
  private final ActorRef<Router.Command> router;
  private final GatewaySettings settings;
  private final long maxFrameBytes;

  public TaskRoutes(
      ActorSystem<?> system,
      TaskRegistry registry,
      ActorRef<Router.Command> router,
      GatewaySettings settings) {
    this.system = system;
    this.registry = registry;
    this.router = router;
    this.settings = settings;
    this.maxFrameBytes =
        system.settings().config().getBytes("akka.remote.artery.advanced.maximum-frame-size");
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "tasks",
                () ->
                    concat(
                        pathEndOrSingleSlash(() -> get(() -> complete(listing()))),
                        path(PathMatchers.segment(), name -> post(() -> runTask(name))))));
  }

  private HttpResponse listing() {
    List<TaskDescription> tasks =
        registry.all().stream()
            .map(
                registered ->
                    new TaskDescription(
                        registered.name(),
                        registered.task().description(),
                        registered.task().defaultMode().wireName(),
                        registered.task().modes().stream().sorted().map(Mode::wireName).toList(),
                        registered.task().splittable()))
            .toList();
    return json(tasks);
  }

  private Route runTask(String name) {
    return parameterMultiMap(
        query -> {
          RegisteredTask<?> task = registry.find(name).orElseThrow(() -> ApiError.unknownTask(name));
          checkQuery(query);
          Mode mode = mode(task, single(query, "mode"));
          Duration timeout = timeout(single(query, "timeout"));
          return jsonBody(
              input -> {
                validate(task, input);
                return onSuccess(run(task, input, mode, timeout), response -> complete(response));
              });
        });
  }

  private CompletionStage<HttpResponse> run(
      RegisteredTask<?> task, JsonNode input, Mode mode, Duration timeout) {
    if (mode == Mode.PROCESS) {
      checkFitsFrame(input);
    }
    String partId = UUID.randomUUID().toString();
    CompletionStage<Executor.PartOutcome> outcome =
        AskPattern.ask(
            router,
            replyTo -> new Router.Submit(partId, task.name(), input, mode, timeout.toMillis(), replyTo),
            timeout.plus(ANSWER_GRACE),
            system.scheduler());
    return outcome.thenApply(answer -> answer(task, mode, answer));
  }

  private static HttpResponse answer(RegisteredTask<?> task, Mode mode, Executor.PartOutcome outcome) {
    if (outcome instanceof Executor.PartSucceeded done) {
      return json(
          new TaskAnswer(
              task.name(), done.result(), mode.wireName(), done.node(), done.thread(),
              done.attempt(), done.millis()));
    }
    Executor.PartFailed failed = (Executor.PartFailed) outcome;
    throw switch (failed.failure()) {
      case UNKNOWN_TASK -> ApiError.unknownTask(task.name());
      case UNSUPPORTED_MODE -> ApiError.unsupportedMode(failed.message());
      case INVALID_INPUT -> ApiError.invalidInput(failed.message(), failed.field());
      case TASK_FAILED -> ApiError.taskFailed(failed.message());
      case TIMEOUT -> ApiError.timeout(failed.message());
      case OVERLOADED -> ApiError.overloaded(failed.message());
      case NO_WORKERS -> ApiError.noWorkers(failed.message());
      case WORKER_LOST -> ApiError.workerLost(failed.message());
      case CANCELLED -> ApiError.taskFailed(failed.message());
    };
  }

  /**
   * Artery silently drops a message over its frame size, so a process input that would not fit
   * is refused here. Its CBOR form is what travels; room is left for the rest of the envelope.
   */
  private void checkFitsFrame(JsonNode input) {
    long bytes;
    try {
      bytes = CBOR.writeValueAsBytes(input).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the input as CBOR", e);
    }
    if (bytes > maxFrameBytes - ENVELOPE_ROOM_BYTES) {
      throw ApiError.tooLarge(
          "the input is " + bytes + " bytes in CBOR, more than a message between nodes may carry");
    }
  }

  /** Reads the body as JSON: the media type must be JSON-like, the document well formed. */
  private static Route jsonBody(Function<JsonNode, Route> inner) {
    return extractRequestEntity(
        entity -> {
          checkMediaType(entity);
          return entity(
              Unmarshaller.entityToByteString(), bytes -> inner.apply(parse(bytes)));
        });
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

  private static void validate(RegisteredTask<?> task, JsonNode input) {
    try {
      task.validate(input);
    } catch (InvalidInputException e) {
      throw ApiError.invalidInput(e.getMessage(), e.field().orElse(null));
    }
  }

  private static void checkQuery(Map<String, List<String>> query) {
    for (String parameter : query.keySet()) {
      if (!QUERY_PARAMETERS.contains(parameter)) {
        throw ApiError.invalidInput(
            "unknown query parameter '" + parameter + "'; known are mode and timeout", parameter);
      }
    }
  }

  private static String single(Map<String, List<String>> query, String parameter) {
    List<String> values = query.getOrDefault(parameter, List.of());
    if (values.size() > 1) {
      throw ApiError.invalidInput("query parameter '" + parameter + "' is given twice", parameter);
    }
    return values.isEmpty() ? null : values.get(0);
  }

  private static Mode mode(RegisteredTask<?> task, String requested) {
    if (requested == null) {
      return task.task().defaultMode();
    }
    Mode mode =
        Mode.fromWireName(requested)
            .orElseThrow(
                () -> ApiError.unsupportedMode("mode must be one of thread, process, async"));
    if (!task.task().modes().contains(mode)) {
      throw ApiError.unsupportedMode(
          "task '" + task.name() + "' runs in "
              + String.join(", ", task.task().modes().stream().sorted().map(Mode::wireName).toList())
              + ", not " + mode.wireName());
    }
    return mode;
  }

  private Duration timeout(String requested) {
    if (requested == null) {
      return settings.defaultTimeout();
    }
    Matcher matcher = TIMEOUT.matcher(requested);
    if (!matcher.matches()) {
      throw ApiError.invalidInput("timeout must look like 500ms, 2s or 1m", "timeout");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration timeout =
        switch (matcher.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          default -> Duration.ofMinutes(amount);
        };
    if (timeout.isZero() || timeout.compareTo(settings.maxTimeout()) > 0) {
      throw ApiError.invalidInput(
          "timeout must be more than 0 and at most " + settings.maxTimeout().toMillis() + "ms",
          "timeout");
    }
    return timeout;
  }

  static HttpResponse json(Object body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.write(body));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
