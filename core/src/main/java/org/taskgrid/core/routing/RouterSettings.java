package org.taskgrid.core.routing;

import com.typesafe.config.Config;
import java.time.Duration;
import org.taskgrid.core.execution.ExecutorSettings;

/**
 * The {@code taskgrid.router} section of the config, read once.
 *
 * @param maxAttempts how many executors a part may try before it fails as worker_lost
 * @param maxPending how many parts may wait in the router for a free window; more are refused
 * @param answerGrace how long past its executor's own timeouts the router waits for a job part's
 *     answer before it answers a timeout itself
 * @param maxBatchBytes the most bytes (an upper bound in CBOR) of the parts sent to a remote
 *     executor in one message
 * @param queueAhead how many parts a remote executor may hold beyond its slots, as a multiple of
 *     them (they wait in its queue)
 */
public record RouterSettings(
    int maxAttempts, int maxPending, Duration answerGrace, long maxBatchBytes, double queueAhead) {

  /** Far beyond what hides a round trip; keeps slots times it within an int. */
  static final double MAX_QUEUE_AHEAD = 100;

  public RouterSettings {
    if (maxAttempts < 1 || maxPending < 0 || answerGrace.isNegative() || maxBatchBytes < 1
        || !(queueAhead >= 0 && queueAhead <= MAX_QUEUE_AHEAD)) {
      throw new IllegalArgumentException(
          "max-attempts must be >= 1, max-pending >= 0, answer-grace not negative, queue-ahead"
              + " from 0 to " + MAX_QUEUE_AHEAD + " and the batch bytes positive");
    }
  }

  public static RouterSettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.router");
    return new RouterSettings(
        config.getInt("max-attempts"),
        config.getInt("max-pending"),
        config.getDuration("answer-grace"),
        // Half of what one message between nodes may carry: the sizes are upper bounds, and the
        // parts of one batch wait behind each other on their way.
        ExecutorSettings.fromConfig(root).maxRemoteResultBytes() / 2,
        config.getDouble("queue-ahead"));
  }
}
