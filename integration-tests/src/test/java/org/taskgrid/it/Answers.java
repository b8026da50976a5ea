package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** What the answers of many {@code POST /v1/tasks/{name}} calls say, for assertions. */
final class Answers {
  private Answers() {}

  /**
   * Fails unless every reply is a 200 with {@code result} in mode {@code process}, listing the
   * ones that are not.
   */
  static void assertAllSucceeded(List<GatewayClient.Reply> replies, String result, String context) {
    List<String> wrong =
        replies.stream()
            .filter(
                reply ->
                    reply.status() != 200
                        || !reply.json().path("result").toString().equals(result)
                        || !reply.json().path("mode").asText().equals("process"))
            .map(GatewayClient.Reply::toString)
            .toList();
    if (!wrong.isEmpty()) {
      fail(
          wrong.size() + " of " + replies.size() + " calls did not answer 200 with " + result
              + " in mode process; the first ones: " + wrong.subList(0, Math.min(5, wrong.size()))
              + context);
    }
  }

  /** How many answers each node gave, by node (in order). */
  static Map<String, Long> byNode(List<GatewayClient.Reply> replies) {
    return byNode(replies, answer -> true);
  }

  /** How many answers that match each node gave, by node. */
  static Map<String, Long> byNode(List<GatewayClient.Reply> replies, Predicate<JsonNode> which) {
    return replies.stream()
        .map(GatewayClient.Reply::json)
        .filter(which)
        .collect(
            Collectors.groupingBy(answer -> answer.path("node").asText(), TreeMap::new, Collectors.counting()));
  }

  /** How many answers took more than one attempt. */
  static long retried(List<GatewayClient.Reply> replies) {
    return replies.stream().filter(reply -> reply.json().path("attempts").asInt() > 1).count();
  }
}
