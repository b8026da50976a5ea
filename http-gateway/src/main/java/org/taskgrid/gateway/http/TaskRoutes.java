package org.taskgrid.gateway.http;

import org.taskgrid.core.Asks;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.parameterMultiMap;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.post;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.metrics.PartMetrics;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.gateway.GatewaySettings;
import org.taskgrid.gateway.admission.Admission;
import org.taskgrid.gateway.admission.AdmissionControl;
import org.taskgrid.gateway.admission.MemoryBudget;
import org.taskgrid.gateway.admission.AdmissionMetrics;

/** {@code GET /v1/tasks} and {@code POST /v1/tasks/{name}}: run one task and wait for it. */
public final class TaskRoutes {
  private static final Set<String> QUERY_PARAMETERS = Set.of("mode", "timeout");
  private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** One entry of {@code GET /v1/tasks}. */
  record TaskDescription(
      String name, String description, String defaultMode, List<String> modes, boolean splittable) {}

  /** The answer of a task that ran. */
  record TaskAnswer(
      String task, JsonNode result, String mode, String node, String thread, int attempts, long millis) {}

  private final ActorSystem<?> system;
  private final TaskRegistry registry;
  private final ActorRef<Router.Command> router;
  private final ActorRef<Executor.Command> localExecutor;
  private final AdmissionControl admission;
  private final GatewaySettings settings;
  private final FrameLimit frameLimit;
  private final Requests.BodySettings bodySettings;
  private final CallIds callIds = new CallIds();

  public TaskRoutes(
      ActorSystem<?> system,
      TaskRegistry registry,
      ActorRef<Router.Command> router,
      ActorRef<Executor.Command> localExecutor,
      AdmissionControl admission,
      MemoryBudget budget,
      GatewaySettings settings) {
    this.system = system;
    this.registry = registry;
    this.router = router;
    this.localExecutor = localExecutor;
    this.admission = admission;
    this.settings = settings;
    this.frameLimit = new FrameLimit(system.settings().config());
    // The call's input is charged to the budget until it is answered.
    this.bodySettings =
        new Requests.BodySettings(settings.maxBodyBytes(), budget, system.executionContext());
  }

  /** Built once: Akka HTTP calls a directive's inner supplier for every request. */
  public Route route() {
    HttpResponse listing = listing();
    Route listingRoute = get(() -> complete(listing));
    Route tasks =
        concat(
            pathEndOrSingleSlash(() -> listingRoute),
            path(PathMatchers.segment(), name -> post(() -> runTask(name))));
    return pathPrefix("tasks", () -> tasks);
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
    return Json.response(StatusCodes.OK, tasks);
  }

  private Route runTask(String name) {
    return parameterMultiMap(
        query -> {
          RegisteredTask<?> task = registry.find(name).orElseThrow(() -> ApiError.unknownTask(name));
          Requests.checkQuery(query, QUERY_PARAMETERS);
          Mode mode = mode(task, Requests.single(query, "mode"));
          Duration timeout = timeout(Requests.single(query, "timeout"));
          return Requests.jsonBody(
              bodySettings,
              (input, charge) -> {
                validate(task, input, null);
                if (mode == Mode.PROCESS) {
                  frameLimit.check(input, null);
                }
                // The answer is built in Akka HTTP's continuation, on the dispatcher.
                return onSuccess(
                    run(task, input, mode, timeout), outcome -> complete(answer(task, mode, outcome)));
              });
        });
  }

  /**
   * Waits for an admission slot (within the call's timeout), runs the part, frees the slot. The
   * outcome completes on the thread that answered it (see {@link Asks#askOnAnsweringThread}).
   */
  private CompletionStage<PartProtocol.PartOutcome> run(
      RegisteredTask<?> task, JsonNode input, Mode mode, Duration timeout) {
    Admission budget = admission.of(mode);
    CompletableFuture<Void> slot =
        budget
            .acquireForCall()
            .orElseThrow(
                () -> {
                  AdmissionMetrics.of(system).refused(mode, AdmissionMetrics.QUEUE_FULL);
                  return ApiError.overloaded("the gateway has as much work as it takes; retry later");
                });
    long start = System.nanoTime();
    return slot.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(
            granted -> {
              Duration left = timeout.minusNanos(System.nanoTime() - start);
              String partId = callIds.next();
              long submitted = System.nanoTime();
              long millis = Math.max(1, left.toMillis());
              Duration wait = left.plus(settings.answerGrace());
              CompletableFuture<PartProtocol.PartOutcome> asked =
                  mode == Mode.PROCESS
                      ? Asks.<Router.Command, PartProtocol.PartOutcome>askOnAnsweringThread(
                          system,
                          router,
                          replyTo -> new Router.Submit(partId, task.name(), input, mode, millis, replyTo),
                          wait)
                      // Thread and async parts run on this node's executor, and the router would
                      // only pass them on to it (one attempt, nothing to route): one actor hop
                      // less per call. The executor answers as it does through the router.
                      : Asks.<Executor.Command, PartProtocol.PartOutcome>askOnAnsweringThread(
                          system,
                          localExecutor,
                          replyTo ->
                              new PartProtocol.RunPart(partId, task.name(), input, mode, millis, 1, replyTo),
                          wait);
              return asked
                  .whenComplete(
                      (outcome, error) -> {
                        budget.release(1);
                        if (outcome != null) {
                          PartMetrics.of(system).ended(task.name(), mode, outcome, submitted);
                        }
                      });
            });
  }

  private static HttpResponse answer(RegisteredTask<?> task, Mode mode, PartProtocol.PartOutcome outcome) {
    if (outcome instanceof PartProtocol.PartSucceeded done) {
      return Json.response(
          StatusCodes.OK,
          new TaskAnswer(
              task.name(), done.result(), mode.wireName(), done.node(), done.thread(),
              done.attempt(), done.millis()));
    }
    throw ApiError.of((PartProtocol.PartFailed) outcome);
  }

  /** Throws 400 invalid_input naming the field, within {@code prefix} (as in "inputs[3]."). */
  static void validate(RegisteredTask<?> task, JsonNode input, String prefix) {
    try {
      task.validate(input);
    } catch (InvalidInputException e) {
      String field = e.field().orElse(null);
      String where = prefix == null ? field : field == null ? prefix : prefix + "." + field;
      throw ApiError.invalidInput(
          prefix == null ? e.getMessage() : prefix + ": " + e.getMessage(), where);
    }
  }

  static Mode mode(RegisteredTask<?> task, String requested) {
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
}
