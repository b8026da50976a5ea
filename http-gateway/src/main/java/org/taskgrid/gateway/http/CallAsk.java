package org.taskgrid.gateway.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.function.Function;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asks for the outcome of a call's part, completing on the thread that answers (the executor's
 * or the router's): what is chained on it must be short (give back the admission slot, record a
 * meter). The route goes on in Akka HTTP's continuation, on the dispatcher, so the answer is
 * built there. {@link org.taskgrid.core.Asks} completes on the dispatcher instead, which for a
 * call cost one more task on the dispatcher per request, before Akka HTTP's own.
 *
 * <p>The executor is explicit all the same: the stage {@code AskPattern.ask} returns would run
 * even a plain stage on {@code CompletableFuture}'s default executor, a thread per task on two
 * cores.
 */
final class CallAsk {
  private static final Executor ANSWERING_THREAD = Runnable::run;

  private CallAsk() {}

  static <Req, Res> CompletableFuture<Res> ask(
      ActorSystem<?> system,
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> message,
      Duration timeout) {
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
            ANSWERING_THREAD);
    return answer;
  }
}
