package org.taskgrid.gateway;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code taskgrid.gateway} section of the config, read once.
 *
 * @param defaultTimeout how long a call waits for its task when it names no {@code timeout}
 * @param maxTimeout the longest {@code timeout} a call may ask for
 * @param maxBodyBytes the largest request body; larger ones are answered 413
 * @param askTimeout how long a route waits for the gateway's own actors (jobs, router status)
 * @param answerGrace how much longer than a call's timeout the gateway waits for its answer
 * @param terminationDeadline how long requests in progress get to finish when the node stops
 * @param requestHeadTimeout how long a connection with no request in progress may take to send a
 *     complete request head before it is closed
 * @param allowedOrigins origins of web pages, besides the gateway's own, whose requests are served
 * @param allowedHosts Host names, besides loopback ones, served when listening on loopback
 */
public record GatewaySettings(
    String host,
    int port,
    Duration defaultTimeout,
    Duration maxTimeout,
    long maxBodyBytes,
    Duration askTimeout,
    Duration answerGrace,
    Duration terminationDeadline,
    Duration requestHeadTimeout,
    List<String> allowedOrigins,
    List<String> allowedHosts) {

  public GatewaySettings {
    allowedOrigins = List.copyOf(allowedOrigins);
    allowedHosts = List.copyOf(allowedHosts);
  }

  public static GatewaySettings fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.gateway");
    return new GatewaySettings(
        config.getString("http.host"),
        config.getInt("http.port"),
        config.getDuration("default-timeout"),
        config.getDuration("max-timeout"),
        config.getBytes("max-body-size"),
        config.getDuration("ask-timeout"),
        config.getDuration("answer-grace"),
        config.getDuration("http.termination-deadline"),
        config.getDuration("http.request-head-timeout"),
        config.getStringList("allowed-origins"),
        config.getStringList("allowed-hosts"));
  }

  /**
   * Akka HTTP's request timeout is a backstop: shorter than the longest call plus its grace, it
   * cuts calls that are still within their own timeout, with a less telling answer. Said, not
   * refused: a test of the backstop sets it short on purpose.
   */
  public Optional<String> requestTimeoutProblem(Config root) {
    String path = "akka.http.server.request-timeout";
    if (!root.hasPath(path) || root.getString(path).equals("infinite")) {
      return Optional.empty();
    }
    Duration requestTimeout = root.getDuration(path);
    if (requestTimeout.compareTo(maxTimeout.plus(answerGrace)) <= 0) {
      return Optional.of(
          path + " (" + requestTimeout + ") is not longer than taskgrid.gateway.max-timeout ("
              + maxTimeout + ") plus answer-grace (" + answerGrace
              + "): long calls will be cut by it");
    }
    return Optional.empty();
  }
}
