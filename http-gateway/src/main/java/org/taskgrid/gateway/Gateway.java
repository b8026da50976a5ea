package org.taskgrid.gateway;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.taskgrid.core.execution.Executor;
import org.taskgrid.core.execution.ExecutorSettings;
import org.taskgrid.core.metrics.NodeMetrics;
import org.taskgrid.core.routing.Router;
import org.taskgrid.core.routing.RouterSettings;
import org.taskgrid.core.task.TaskRegistry;
import org.taskgrid.core.JsonLimits;
import org.taskgrid.gateway.admission.AdmissionControl;
import org.taskgrid.gateway.admission.CapacityFollower;
import org.taskgrid.gateway.admission.AdmissionMetrics;
import org.taskgrid.gateway.admission.MemoryBudget;
import org.taskgrid.gateway.http.ApiTokens;
import org.taskgrid.gateway.http.ClusterRoutes;
import org.taskgrid.gateway.http.HealthRoutes;
import org.taskgrid.gateway.http.HttpApi;
import org.taskgrid.gateway.http.HttpMetrics;
import org.taskgrid.gateway.http.MetricsRoutes;
import org.taskgrid.gateway.http.OpenApiRoutes;
import org.taskgrid.gateway.http.RouteTemplates;
import org.taskgrid.gateway.http.JobRoutes;
import org.taskgrid.gateway.http.Json;
import org.taskgrid.gateway.jobs.AsyncJobStore;
import org.taskgrid.gateway.jobs.GatewayOwners;
import org.taskgrid.gateway.jobs.JobJournal;
import org.taskgrid.gateway.jobs.JobManager;
import org.taskgrid.gateway.jobs.JobRecovery;
import org.taskgrid.gateway.jobs.JobStorage;
import org.taskgrid.gateway.jobs.store.JobStore;
import org.taskgrid.gateway.jobs.store.StoreSettings;
import org.taskgrid.gateway.jobs.JobSettings;
import org.taskgrid.gateway.http.TaskRoutes;

/**
 * Makes an actor system a gateway: joins the cluster, starts its executor (thread and async work,
 * and process work when the node has the worker role) and the router (process work), serves the
 * API.
 */
public final class Gateway {
  /** How long a stopping gateway waits for its last part results to reach the job store. */
  private static final Duration FLUSH_AT_SHUTDOWN = Duration.ofSeconds(5);

  private Gateway() {}

  /** Everything but the actor system itself, so that tests start a gateway the way main does. */
  public static CompletionStage<ServerBinding> init(ActorSystem<?> system) {
    Config config = system.settings().config();
    GatewaySettings settings = GatewaySettings.fromConfig(config);
    // Exported before any actor starts, so that the scrape sees every recording.
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    NodeMetrics.get(system).export(prometheus);
    settings.requestTimeoutProblem(config).ifPresent(problem -> system.log().warn(problem));
    Cluster cluster = Cluster.get(system);
    // With no seed nodes, a gateway is a cluster of its own. With seeds, Akka joins them by itself:
    // joining itself as well would stop that and make the gateway an island of its own.
    if (config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    TaskRegistry registry = TaskRegistry.load(system);
    String node = cluster.selfMember().address().toString();
    ActorRef<Executor.Command> executor =
        system.systemActorOf(
            restartOnFailure(Executor.create(registry, ExecutorSettings.fromConfig(config), node)),
            "executor",
            Props.empty());
    // In the embedded default the gateway is its own worker: its executor takes process work too.
    if (cluster.selfMember().hasRole("worker")) {
      system.receptionist().tell(Receptionist.register(Executor.SERVICE_KEY, executor));
    }
    ActorRef<Router.Command> router =
        system.systemActorOf(
            restartOnFailure(Router.create(RouterSettings.fromConfig(config), executor, registry)),
            "router",
            Props.empty());

    AdmissionControl admission = AdmissionControl.fromConfig(config);
    AdmissionMetrics.of(system).watch(admission);
    system.systemActorOf(
        restartOnFailure(CapacityFollower.create(admission, router, config)),
        "capacity-follower",
        Props.empty());
    MemoryBudget budget = MemoryBudget.fromConfig(config);
    Json.limit(JsonLimits.fromConfig(config));
    system.log().info(
        "Memory budget for work: {} MiB of a {} MiB maximum heap",
        budget.limit() >> 20,
        Runtime.getRuntime().maxMemory() >> 20);
    JobSettings jobSettings = JobSettings.fromConfig(config);
    StoreSettings storeSettings = StoreSettings.fromConfig(config);
    Optional<JobStorage> storage = openStore(system, storeSettings, jobSettings);
    ActorRef<JobManager.Command> jobs =
        system.systemActorOf(
            restartOnFailure(JobManager.create(router, admission, jobSettings, storage)),
            "jobs",
            Props.empty());
    JobRoutes jobRoutes =
        new JobRoutes(
            system, registry, jobs, jobSettings, budget, settings.maxBodyBytes(),
            settings.askTimeout(), storage.map(JobStorage::store));
    storage.ifPresent(
        store ->
            system.systemActorOf(
                restartOnFailure(
                    JobRecovery.create(store, jobs, router, jobRoutes, storeSettings.recoveryInterval())),
                "job-recovery",
                Props.empty()));

    ApiTokens tokens = ApiTokens.fromConfig(config);
    system.log().info(
        tokens.enabled()
            ? "API tokens are on: every /v1 request needs one"
            : "API tokens are off: anyone who reaches the HTTP port may use /v1");
    OpenApiRoutes openApi = OpenApiRoutes.fromJar();
    Route route =
        HttpApi.route(
            settings,
            tokens,
            new HttpMetrics(system, RouteTemplates.of(openApi.json())),
            new HealthRoutes(system, router, settings.askTimeout()),
            new MetricsRoutes(
                system, router, prometheus, tokens, config.getBoolean("taskgrid.metrics.require-token"),
                settings.askTimeout()),
            openApi,
            new ClusterRoutes(system, router, settings.askTimeout()),
            new TaskRoutes(system, registry, router, executor, admission, budget, settings),
            jobRoutes);
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bindFlow(HttpApi.connectionFlow(route, settings, system))
        // On the system's dispatcher: a plain stage of Akka's future runs on CompletableFuture's
        // default executor, a new thread per task on small machines.
        .thenApplyAsync(
            binding -> binding.addToCoordinatedShutdown(settings.terminationDeadline(), system),
            system.executionContext());
  }

  /**
   * The job store, when {@code taskgrid.store} has it on: opened (and migrated) now, so a bad URL
   * stops the gateway at start; its journal; and at shutdown a last flush of the part results
   * recorded so far, then the pool closed once the actors are gone.
   */
  private static Optional<JobStorage> openStore(
      ActorSystem<?> system, StoreSettings settings, JobSettings jobSettings) {
    if (!settings.enabled()) {
      system.log().info("The job store is off: jobs live in this gateway's memory only");
      return Optional.empty();
    }
    JobStore store = JobStore.open(settings);
    system.getWhenTerminated().thenRun(store::close);
    AsyncJobStore calls = AsyncJobStore.on(system, store);
    String owner = GatewayOwners.self(system);
    ActorRef<JobJournal.Command> journal =
        system.systemActorOf(
            restartOnFailure(
                JobJournal.create(
                    calls,
                    owner,
                    JobJournal.Settings.of(
                        jobSettings, settings.flushInterval(), settings.flushMaxParts(),
                        settings.recoveryInterval()))),
            "job-journal",
            Props.empty());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "job-journal-flush",
            () ->
                AskPattern.<JobJournal.Command, JobJournal.Done>ask(
                        journal, JobJournal.FlushNow::new, FLUSH_AT_SHUTDOWN, system.scheduler())
                    .handleAsync((done, error) -> akka.Done.getInstance(), system.executionContext()));
    system.log().info("The job store is on; this gateway owns its jobs as {}", owner);
    return Optional.of(new JobStorage(calls, journal, owner));
  }

  /** A bug in one message must not leave the node serving without the actor: start it afresh. */
  private static <T> Behavior<T> restartOnFailure(Behavior<T> behavior) {
    return Behaviors.supervise(behavior).onFailure(SupervisorStrategy.restart());
  }
}
