package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.completeOK;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.delete;
import static akka.http.javadsl.server.Directives.get;
import static akka.http.javadsl.server.Directives.onSuccess;
import static akka.http.javadsl.server.Directives.parameterMultiMap;
import static akka.http.javadsl.server.Directives.path;
import static akka.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static akka.http.javadsl.server.Directives.pathPrefix;
import static akka.http.javadsl.server.Directives.post;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.japi.Pair;
import akka.japi.function.Creator;
import akka.japi.function.Function;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import akka.stream.typed.javadsl.ActorSource;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.taskgrid.gateway.admission.JsonSize;
import org.taskgrid.gateway.jobs.AsyncJobStore;
import org.taskgrid.gateway.jobs.JobRequests;
import org.taskgrid.gateway.jobs.StoredJobs;
import org.taskgrid.gateway.jobs.store.StoredJob;
import org.taskgrid.core.Asks;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Parts;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.gateway.admission.MemoryBudget;
import org.taskgrid.gateway.admission.AdmissionMetrics;
import org.taskgrid.gateway.jobs.JobManager;
import org.taskgrid.gateway.jobs.JobSettings;
import org.taskgrid.gateway.jobs.JobSpec;
import org.taskgrid.gateway.jobs.JobState;
import org.taskgrid.gateway.jobs.JobView;

/**
 * The jobs API: {@code POST /v1/jobs} fans a task out over many parts and answers at once;
 * {@code GET /v1/jobs[/{id}]}, {@code GET /v1/jobs/{id}/events} (Server-Sent Events) and
 * {@code DELETE /v1/jobs/{id}} follow and cancel it. With the job store on, any gateway serves any
 * job: one that this gateway does not run is read from the store (its event stream polls the
 * store), and its cancel is asked through the store, where its owner hears of it.
 */
public final class JobRoutes implements JobRequests {
  private static final Set<String> BODY_FIELDS = Set.of("task", "input", "parts", "inputs", "mode");
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 1000;
  /** Progress events a slow client may lag behind; older ones are dropped, never the last. */
  private static final int EVENT_BUFFER = 16;

  record JobCreated(String id, String status) {}

  private final ActorSystem<?> system;
  private final TaskRegistry registry;
  private final ActorRef<JobManager.Command> jobs;
  private final JobSettings settings;
  private final Duration askTimeout;
  private final FrameLimit frameLimit;
  private final Requests.BodySettings bodySettings;
  private final Optional<AsyncJobStore> store;
  /** Event streams that poll the store, bounded by max-followers like the local ones. */
  private final AtomicInteger storeFollowers = new AtomicInteger();

  public JobRoutes(
      ActorSystem<?> system,
      TaskRegistry registry,
      ActorRef<JobManager.Command> jobs,
      JobSettings settings,
      MemoryBudget budget,
      long maxBodyBytes,
      Duration askTimeout) {
    this(system, registry, jobs, settings, budget, maxBodyBytes, askTimeout, Optional.empty());
  }

  /** With the job store on, when {@code store} is given. */
  public JobRoutes(
      ActorSystem<?> system,
      TaskRegistry registry,
      ActorRef<JobManager.Command> jobs,
      JobSettings settings,
      MemoryBudget budget,
      long maxBodyBytes,
      Duration askTimeout,
      Optional<AsyncJobStore> store) {
    this.store = store;
    this.system = system;
    this.registry = registry;
    this.jobs = jobs;
    this.settings = settings;
    this.askTimeout = askTimeout;
    this.frameLimit = new FrameLimit(system.settings().config());
    this.bodySettings = new Requests.BodySettings(maxBodyBytes, budget, system.executionContext());
  }

  public Route route() {
    return pathPrefix(
        "jobs",
        () ->
            concat(
                pathEndOrSingleSlash(
                    () ->
                        concat(
                            post(() -> Requests.jsonBody(bodySettings, this::start)),
                            get(() -> parameterMultiMap(this::list)))),
                pathPrefix(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            pathEndOrSingleSlash(
                                () -> concat(get(() -> show(id)), delete(() -> cancel(id)))),
                            path("events", () -> get(() -> events(id)))))));
  }

  /**
   * The job takes over the body's charge, and gives it back when it ends or is refused (also when
   * the manager does not answer: then it never got the job).
   */
  private Route start(JsonNode body, MemoryBudget.Charge charge) {
    JobSpec spec = spec(body, charge);
    CompletionStage<JobManager.StartAnswer> started =
        Asks.<JobManager.Command, JobManager.StartAnswer>ask(
                system, jobs, replyTo -> new JobManager.StartJob(spec, body, replyTo), askTimeout)
            .whenComplete(
                (answer, error) -> {
                  if (error != null) {
                    spec.charge().release();
                  }
                });
    return onSuccess(
        started,
        answer -> {
          if (answer instanceof JobManager.NotStored notStored) {
            throw ApiError.overloaded("the job store did not take the job (" + notStored.why() + "); retry later");
          }
          if (!(answer instanceof JobManager.Running running)) {
            AdmissionMetrics.of(system).refused(spec.mode(), AdmissionMetrics.QUEUE_FULL);
            throw ApiError.overloaded("the gateway has as much work as it takes; retry later");
          }
          String status = "/v1/jobs/" + running.id();
          return complete(
              Json.response(StatusCodes.ACCEPTED, new JobCreated(running.id(), status))
                  .addHeader(Location.create(status)));
        });
  }

  /** {@link JobRequests}: a stored job's request, built again as {@link #start} builds a new one. */
  @Override
  public Rebuilt rebuild(JsonNode request) {
    MemoryBudget.Charge charge;
    try {
      charge = bodySettings.budget().charge(JsonSize.of(request).heapBytes());
    } catch (MemoryBudget.Refused refused) {
      return refused.refusal() == MemoryBudget.Refusal.FULL
          ? new NotNow(refused.getMessage())
          : new Invalid("too_large", refused.getMessage());
    }
    try {
      return new Built(spec(request, charge));
    } catch (ApiError error) {
      return error.code.equals("overloaded")
          ? new NotNow(error.getMessage())
          : new Invalid(error.code, error.getMessage());
    } finally {
      charge.release(); // empty once handed over to the spec
    }
  }

  private Route list(Map<String, List<String>> query) {
    Requests.checkQuery(query, Set.of("state", "limit"));
    String stateName = Requests.single(query, "state");
    JobState state =
        stateName == null
            ? null
            : JobState.fromWireName(stateName)
                .orElseThrow(
                    () ->
                        ApiError.invalidInput(
                            "state must be one of running, succeeded, failed, cancelled", "state"));
    int limit = limit(Requests.single(query, "limit"));
    // Every gateway's jobs from the store; the manager lays this gateway's fresher views over them.
    CompletionStage<List<JobView>> stored =
        store.isEmpty()
            ? CompletableFuture.completedFuture(List.of())
            : store.get().call(jobStore -> jobStore.list(state, limit)).thenApply(JobRoutes::views);
    CompletionStage<List<JobView>> all =
        stored.thenCompose(
            storedViews ->
                Asks.<JobManager.Command, List<JobView>>ask(
                    system,
                    jobs,
                    replyTo -> new JobManager.ListJobs(state, limit, storedViews, replyTo),
                    askTimeout));
    return onSuccess(all, views -> complete(Json.response(StatusCodes.OK, views)));
  }

  private static List<JobView> views(List<StoredJob> stored) {
    return stored.stream().map(job -> StoredJobs.view(job).summary()).toList();
  }

  private Route show(String id) {
    return onSuccess(find(id), view -> complete(Json.response(StatusCodes.OK, view)));
  }

  /** Cancelled here when it runs here; else asked through the store, where its owner hears of it. */
  private Route cancel(String id) {
    CompletionStage<Optional<JobView>> cancelled =
        Asks.<JobManager.Command, Optional<JobView>>ask(
                system, jobs, replyTo -> new JobManager.CancelJob(id, replyTo), askTimeout)
            .thenCompose(
                view ->
                    view.isPresent() || store.isEmpty()
                        ? CompletableFuture.completedFuture(view)
                        : store.get()
                            .call(
                                jobStore ->
                                    jobStore.requestCancel(id)
                                        ? jobStore.find(id).map(StoredJobs::view)
                                        : Optional.<JobView>empty()));
    return onSuccess(
        cancelled,
        view ->
            complete(
                Json.response(
                    StatusCodes.ACCEPTED, view.orElseThrow(() -> unknownJob(id)).summary())));
  }

  /**
   * A {@code progress} event per change (at most one per progress interval), then {@code done}.
   * One ask both looks the job up and follows it, so a job forgotten in between is a 404, not a
   * stream that never ends; followers are bounded per job and in all (503 beyond).
   */
  private Route events(String id) {
    Pair<ActorRef<JobView>, Source<JobView, NotUsed>> stream =
        ActorSource.<JobView>actorRef(
                view -> view == JobManager.HANDED_OFF,
                view -> Optional.empty(),
                EVENT_BUFFER,
                OverflowStrategy.dropHead())
            .preMaterialize(system);
    return onSuccess(
        Asks.<JobManager.Command, JobManager.FollowAnswer>ask(
            system,
            jobs,
            replyTo -> new JobManager.FollowJob(id, stream.first(), replyTo),
            askTimeout),
        answer -> {
          // A stream not used here is never subscribed to, and Akka stops it after its
          // subscription timeout.
          switch (answer) {
            case UNKNOWN -> {
              if (store.isPresent()) {
                return storeEvents(id);
              }
              throw unknownJob(id);
            }
            case TOO_MANY ->
                throw ApiError.overloaded(
                    "this job or this gateway has as many event streams as it serves; retry later");
            default -> {}
          }
          // The finished view is the last event; ending the stream stops the follower. Should
          // another gateway take the job over, the stream goes on from the store.
          Source<JobView, NotUsed> views =
              store.isEmpty()
                  ? stream.second()
                  : stream.second()
                      .concat(
                          Source.lazySource(() -> polledViews(store.get(), id))
                              .mapMaterializedValue(later -> NotUsed.getInstance()));
          return completeOK(asEvents(views), EventStreamMarshalling.toEventStream());
        });
  }

  private Source<ServerSentEvent, NotUsed> asEvents(Source<JobView, NotUsed> views) {
    return views
        .takeWhile(view -> !view.finished(), true)
        .map(
            view ->
                ServerSentEvent.create(
                    new String(Json.write(view), StandardCharsets.UTF_8),
                    view.finished() ? "done" : "progress"))
        .keepAlive(settings.eventsKeepAlive(), ServerSentEvent::heartbeat);
  }

  /**
   * The events of a job that another gateway runs: its row read every store-poll-interval, a
   * {@code progress} event when it changed, {@code done} at its end. The stream ends too if the
   * job is forgotten meanwhile (retention).
   */
  private Route storeEvents(String id) {
    AsyncJobStore jobStore = store.orElseThrow();
    return onSuccess(
        jobStore.call(stored -> stored.find(id)),
        first -> {
          JobView view = first.map(StoredJobs::view).orElseThrow(() -> unknownJob(id));
          if (storeFollowers.incrementAndGet() > settings.maxFollowers()) {
            storeFollowers.decrementAndGet();
            throw ApiError.overloaded(
                "this gateway has as many event streams as it serves; retry later");
          }
          Source<JobView, NotUsed> changes =
              Source.single(view)
                  .concat(polledViews(jobStore, id))
                  .watchTermination(
                      (notUsed, ended) -> {
                        ended.whenCompleteAsync(
                            (done, error) -> storeFollowers.decrementAndGet(), system.executionContext());
                        return NotUsed.getInstance();
                      });
          return completeOK(asEvents(changes), EventStreamMarshalling.toEventStream());
        });
  }

  /** The job's row every store-poll-interval, when it changed; ends when the job is forgotten. */
  private Source<JobView, NotUsed> polledViews(AsyncJobStore jobStore, String id) {
    return Source.tick(settings.storePollInterval(), settings.storePollInterval(), id)
        .mapMaterializedValue(cancellable -> NotUsed.getInstance())
        .mapAsync(1, tick -> jobStore.call(stored -> stored.find(id)))
        .takeWhile(Optional::isPresent)
        .map(found -> StoredJobs.view(found.get()))
        .statefulMapConcat(onlyChanges());
  }

  /** Lets a view through when its progress or state differs from the last one let through. */
  private static Creator<Function<JobView, Iterable<JobView>>> onlyChanges() {
    return () -> {
      JobView[] last = {null};
      return view -> {
        JobView before = last[0];
        if (before != null
            && before.state() == view.state()
            && before.done() == view.done()
            && before.failed() == view.failed()
            && before.retried() == view.retried()) {
          return List.of();
        }
        last[0] = view;
        return List.of(view);
      };
    };
  }

  /** Here when it runs (or ended) here, else from the store. */
  private CompletionStage<JobView> find(String id) {
    return Asks.<JobManager.Command, Optional<JobView>>ask(
            system, jobs, replyTo -> new JobManager.GetJob(id, replyTo), askTimeout)
        .thenCompose(
            view ->
                view.isPresent() || store.isEmpty()
                    ? CompletableFuture.completedFuture(view)
                    : store.get().call(jobStore -> jobStore.find(id).map(StoredJobs::view)))
        .thenApply(view -> view.orElseThrow(() -> unknownJob(id)));
  }

  /**
   * Checks the body's shape and the input(s), and charges the job's parts to the memory budget,
   * before anything is started or split; the parts of a split input are made as they are
   * dispatched.
   */
  private JobSpec spec(JsonNode body, MemoryBudget.Charge charge) {
    if (!body.isObject()) {
      throw ApiError.invalidInput("the body must be a JSON object with 'task' and 'input' + 'parts' or 'inputs'", null);
    }
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!BODY_FIELDS.contains(field)) {
                throw ApiError.invalidInput("unknown field '" + field + "'", field);
              }
            });
    JsonNode taskName = body.get("task");
    if (taskName == null || !taskName.isTextual()) {
      throw ApiError.invalidInput("field 'task' is required and must be a task name", "task");
    }
    RegisteredTask<?> task =
        registry.find(taskName.textValue()).orElseThrow(() -> ApiError.unknownTask(taskName.textValue()));
    JsonNode modeField = body.get("mode");
    if (modeField != null && !modeField.isTextual()) {
      throw ApiError.unsupportedMode("mode must be one of thread, process, async");
    }
    Mode mode = TaskRoutes.mode(task, modeField == null ? null : modeField.textValue());
    boolean split = body.has("input") || body.has("parts");
    if (split == body.has("inputs")) {
      throw ApiError.invalidInput("give either 'input' and 'parts', or 'inputs'", split ? "inputs" : "input");
    }
    Parts inputs = split ? splitInput(task, body, mode, charge) : listedInputs(task, body, mode, charge);
    return new JobSpec(task, mode, inputs, split, charge.handOver());
  }

  /** The input (already charged as the body's tree) plus a small result per part. */
  private void chargeParts(MemoryBudget.Charge charge, int parts) {
    Requests.resize(charge, charge.bytes() + (long) parts * settings.memoryPerPart());
  }

  private Parts splitInput(
      RegisteredTask<?> task, JsonNode body, Mode mode, MemoryBudget.Charge charge) {
    JsonNode input = body.get("input");
    if (input == null) {
      throw ApiError.invalidInput("field 'input' is required with 'parts'", "input");
    }
    int parts = count(body.get("parts"), "parts", settings.maxParts());
    if (!task.task().splittable()) {
      throw ApiError.invalidInput(
          "task '" + task.name() + "' cannot be split into parts; give 'inputs' instead", "parts");
    }
    TaskRoutes.validate(task, input, "input");
    if (mode == Mode.PROCESS) {
      // A part of a split input is a piece of it: if the whole fits a message, so do its parts.
      frameLimit.check(input, "input");
    }
    chargeParts(charge, parts);
    try {
      return task.parts(input, parts);
    } catch (InvalidInputException e) {
      throw ApiError.invalidInput(e.getMessage(), "input");
    }
  }

  private Parts listedInputs(
      RegisteredTask<?> task, JsonNode body, Mode mode, MemoryBudget.Charge charge) {
    JsonNode listed = body.get("inputs");
    if (!listed.isArray()) {
      throw ApiError.invalidInput("field 'inputs' must be a list of inputs", "inputs");
    }
    if (listed.isEmpty()) {
      throw ApiError.invalidInput("field 'inputs' must hold at least one input", "inputs");
    }
    if (listed.size() > settings.maxInputs()) {
      throw ApiError.tooLarge(
          "a job may list at most " + settings.maxInputs() + " inputs, not " + listed.size(), "inputs");
    }
    chargeParts(charge, listed.size());
    for (int i = 0; i < listed.size(); i++) {
      TaskRoutes.validate(task, listed.get(i), "inputs[" + i + "]");
      if (mode == Mode.PROCESS) {
        frameLimit.check(listed.get(i), "inputs[" + i + "]");
      }
    }
    // The body's own nodes, not a copy: they are charged already.
    return Parts.of(listed.size(), listed::get);
  }

  /** A count from 1 to max: over max is 413 too_large, anything else wrong is 400. */
  private static int count(JsonNode value, String field, int max) {
    if (value == null || value.isNull()) {
      throw ApiError.invalidInput("field '" + field + "' is required", field);
    }
    if (!value.isIntegralNumber()) {
      throw ApiError.invalidInput("field '" + field + "' must be an integer", field);
    }
    if (value.bigIntegerValue().signum() <= 0) {
      throw ApiError.invalidInput("field '" + field + "' must be at least 1", field);
    }
    if (!value.canConvertToInt() || value.intValue() > max) {
      throw ApiError.tooLarge("field '" + field + "' may be at most " + max, field);
    }
    return value.intValue();
  }

  private static int limit(String requested) {
    if (requested == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(requested);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.invalidInput("limit must be a number from 1 to " + MAX_LIMIT, "limit");
  }

  private static ApiError unknownJob(String id) {
    return new ApiError(StatusCodes.NOT_FOUND, "unknown_job", "no job has the id '" + id + "'", null);
  }
}
