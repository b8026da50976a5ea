package org.taskgrid.gateway.jobs;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.taskgrid.gateway.jobs.store.JobStore;
import org.taskgrid.gateway.jobs.store.StoreSettings;

/**
 * The job store for actors and routes: each call runs on the store's own dispatcher ({@code
 * taskgrid.store.dispatcher}, as many threads as the pool has connections) and comes back as a
 * future that completes there, never on an actor's thread and never on {@code CompletableFuture}'s
 * default executor. Actors bring the answer home with {@code pipeToSelf}, routes with {@code
 * onSuccess}.
 */
public final class AsyncJobStore {
  /** The dispatcher that every store call runs on. */
  public static final String DISPATCHER = StoreSettings.DISPATCHER;

  private final JobStore store;
  private final Executor executor;

  public AsyncJobStore(JobStore store, Executor executor) {
    this.store = store;
    this.executor = executor;
  }

  /** The store's calls on the dispatcher {@link #DISPATCHER} of {@code system}. */
  public static AsyncJobStore on(ActorSystem<?> system, JobStore store) {
    return new AsyncJobStore(
        store, system.dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER)));
  }

  /** Runs {@code call} on the store's dispatcher. */
  public <T> CompletionStage<T> call(Function<JobStore, T> call) {
    return CompletableFuture.supplyAsync(() -> call.apply(store), executor);
  }

  /** Where the answers complete: for stages chained on them. */
  public Executor executor() {
    return executor;
  }
}
