package org.taskgrid.core;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.function.Function;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asks an actor from outside any actor, with the answer on the actor system's dispatcher.
 *
 * <p>Why not {@link AskPattern#ask} alone: the stage it returns runs even plain stages ({@code
 * thenApply}, {@code whenComplete}, ...) through {@code CompletableFuture}'s default executor,
 * which starts a new thread per stage wherever {@code ForkJoinPool.commonPool()} has fewer than
 * two threads (any machine with two cores). The future this returns completes on the dispatcher,
 * so the stages chained on it run there, on threads that already exist.
 */
public final class Asks {
  private Asks() {}

  private static final Executor ANSWERING_THREAD = Runnable::run;

  public static <Req, Res> CompletableFuture<Res> ask(
      ActorSystem<?> system,
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> message,
      Duration timeout) {
    return ask(system, target, message, timeout, system.executionContext());
  }

  /**
   * The same, completing on the thread that answers (an actor's, or the scheduler's on timeout)
   * instead of the dispatcher: one task less on the dispatcher for a sync call, whose route goes
   * on in Akka HTTP's continuation anyway. What is chained on it must be short.
   */
  public static <Req, Res> CompletableFuture<Res> askOnAnsweringThread(
      ActorSystem<?> system,
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> message,
      Duration timeout) {
    return ask(system, target, message, timeout, ANSWERING_THREAD);
  }

  private static <Req, Res> CompletableFuture<Res> ask(
      ActorSystem<?> system,
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> message,
      Duration timeout,
      Executor completeOn) {
    CompletableFuture<Res> answer = new CompletableFuture<>();
    AskPattern.ask(target, message, timeout, system.scheduler())
        .whenCompleteAsync(
            (value, error) -> {
              if (error == null) {
                answer.complete(value);
              } else {
                answer.completeExceptionally(error);
              }
            },
            completeOn);
    return answer;
  }
}
