package org.taskgrid.core.execution;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.taskgrid.core.CborSerializable;
import org.taskgrid.core.task.Mode;

/**
 * The spine of taskgrid: a part of work is asked for with {@link RunPart} and answered with
 * exactly one {@link PartOutcome}. Executors answer it, the router forwards it between JVMs and
 * answers it itself when no executor can ({@link Failure#NO_WORKERS}, {@link
 * Failure#WORKER_LOST}), the gateway turns it into HTTP and jobs gather it.
 */
public final class PartProtocol {
  private PartProtocol() {}

  /** What {@link PartSucceeded#thread()} says of an {@code async} part: it held no thread. */
  public static final String NO_THREAD = "none";

  /** What {@link PartOutcome#node()} says when no node took the part (the router answered). */
  public static final String NO_NODE = "none";

  /**
   * Run one part and answer one {@link PartOutcome} to {@code replyTo}.
   *
   * @param partId the caller's name for the part, echoed in the answer
   * @param attempt which attempt at the part this is, echoed in the answer
   * @param timeoutMillis the answer is a {@link Failure#TIMEOUT} when the part takes longer
   * @param timeoutFromStart whether {@code timeoutMillis} counts from when the part starts
   *     running (a job's part: its wait for a slot is bounded by whoever sent it, the router or its
   *     job's window), or from its arrival (a call: its caller's clock runs already)
   */
  public record RunPart(
      String partId,
      String task,
      JsonNode input,
      Mode mode,
      long timeoutMillis,
      int attempt,
      ActorRef<PartOutcome> replyTo,
      boolean timeoutFromStart)
      implements Executor.Command, CborSerializable {

    /** A part whose timeout counts from its arrival. */
    public RunPart(
        String partId, String task, JsonNode input, Mode mode, long timeoutMillis, int attempt,
        ActorRef<PartOutcome> replyTo) {
      this(partId, task, input, mode, timeoutMillis, attempt, replyTo, false);
    }

    public RunPart {
      Objects.requireNonNull(partId, "partId");
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(replyTo, "replyTo");
      if (timeoutMillis < 1 || attempt < 1) {
        throw new IllegalArgumentException("timeoutMillis and attempt must be positive");
      }
    }

    /** The answer that this part failed on {@code node}. */
    public PartFailed failed(String node, Failure failure, String message) {
      return failed(node, failure, message, null);
    }

    /** The answer that this part failed on {@code node}, for the input field named. */
    public PartFailed failed(String node, Failure failure, String message, String field) {
      return new PartFailed(partId, attempt, node, failure, message, field);
    }
  }

  /**
   * Several parts for one executor in one message between nodes, each answered as if it came
   * alone, except that the answers come back gathered in {@link PartOutcomes} to {@code replyTo}
   * (not to each part's own {@code replyTo}). Artery's cost per message (envelope, stream stages,
   * frame) is far above that of a small part: a job of 10 000 small parts spent most of its
   * time there when every part was a message of its own.
   */
  public record RunParts(List<RunPart> parts, ActorRef<PartOutcomes> replyTo)
      implements Executor.Command, CborSerializable {
    public RunParts {
      parts = List.copyOf(parts);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * The answers to parts that came in {@link RunParts}, gathered for one message back: each still
   * answers its own part and attempt. Successes and failures in two lists, so that each element
   * has one concrete type on the wire.
   */
  public record PartOutcomes(List<PartSucceeded> succeeded, List<PartFailed> failed)
      implements CborSerializable {
    public PartOutcomes {
      succeeded = List.copyOf(succeeded);
      failed = List.copyOf(failed);
    }

    /** Every answer, successes first. */
    public List<PartOutcome> all() {
      List<PartOutcome> all = new ArrayList<>(succeeded.size() + failed.size());
      all.addAll(succeeded);
      all.addAll(failed);
      return all;
    }
  }

  /**
   * Stop the part's attempts up to {@code upToAttempt}: one that waits for a slot never starts; a
   * running {@code thread} or CPU part has its thread interrupted (the task stops where it allows);
   * an {@code async} part's stage is cancelled. Answered {@link Failure#CANCELLED}. A later attempt,
   * sent to this executor after the one cancelled, is left alone.
   */
  public record CancelPart(String partId, int upToAttempt) implements Executor.Command, CborSerializable {
    public CancelPart {
      Objects.requireNonNull(partId, "partId");
      if (upToAttempt < 1) {
        throw new IllegalArgumentException("upToAttempt must be positive");
      }
    }

    /** Every attempt at the part: for work that never leaves its node, which has one attempt. */
    public static CancelPart everyAttempt(String partId) {
      return new CancelPart(partId, Integer.MAX_VALUE);
    }
  }

  /** The answer to {@link RunPart}. */
  public sealed interface PartOutcome extends CborSerializable {
    String partId();

    int attempt();

    /** The address of the node that ran (or refused) the part, or {@link #NO_NODE}. */
    String node();
  }

  /**
   * The part ran to its end.
   *
   * @param thread the pool thread it ran on, or {@link #NO_THREAD} when it held none
   * @param millis how long it ran, not counting any wait for a slot
   */
  public record PartSucceeded(
      String partId, int attempt, String node, JsonNode result, String thread, long millis)
      implements PartOutcome {}

  /** The part did not produce a result; {@code field} names the bad input field, if any. */
  public record PartFailed(
      String partId, int attempt, String node, Failure failure, String message, String field)
      implements PartOutcome {

    /** The one way to fail a part that no node took: the router's own answers. */
    public static PartFailed byRouter(String partId, int attempt, Failure failure, String message) {
      return new PartFailed(partId, attempt, NO_NODE, failure, message, null);
    }
  }

  /** Why a part failed; each is one error code of the HTTP contract. */
  public enum Failure {
    UNKNOWN_TASK,
    UNSUPPORTED_MODE,
    INVALID_INPUT,
    TASK_FAILED,
    TIMEOUT,
    OVERLOADED,
    /** The part was cancelled, as its job was. */
    CANCELLED,
    /** No executor takes {@code process} work (answered by the router). */
    NO_WORKERS,
    /** Every attempt lost its worker (answered by the router). */
    WORKER_LOST,
    /**
     * The executor is draining (its node leaves) and takes no new part: the router sends the part
     * elsewhere and does not count the refusal as an attempt.
     */
    DRAINING,
    /** A bug stopped the actor that held the part (it restarted without it). */
    INTERNAL;

    /** The error code of the HTTP contract. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
