package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/** Iterated SHA-256 of a text: {@code rounds} times over its own digest. CPU-bound. */
public final class Sha256Task implements Task<Sha256Task.Input> {

  /** The text and how many times to hash. */
  public record Input(String text, long rounds) {}

  @Override
  public String name() {
    return "sha256";
  }

  @Override
  public String description() {
    return "Hashes 'text' (UTF-8) with SHA-256, then the digest again, 'rounds' times in all (default 1).";
  }

  @Override
  public Mode defaultMode() {
    return Mode.PROCESS;
  }

  @Override
  public Input parse(JsonNode input, TaskContext context) throws InvalidInputException {
    InputFields.onlyFields(input, "text", "rounds");
    String text = InputFields.requiredText(input, "text");
    long maxRounds = context.settings().getLong("max-rounds");
    long rounds =
        InputFields.inRange("rounds", InputFields.optionalLong(input, "rounds", 1), 1, maxRounds);
    return new Input(text, rounds);
  }

  @Override
  public JsonNode run(Input input, TaskContext context)
      throws NoSuchAlgorithmException, InterruptedException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    byte[] digest = sha256.digest(input.text().getBytes(StandardCharsets.UTF_8));
    for (long round = 1; round < input.rounds(); round++) {
      if ((round & 0xFFFF) == 0 && Thread.interrupted()) {
        throw new InterruptedException("sha256 interrupted after " + round + " rounds");
      }
      digest = sha256.digest(digest);
    }
    return TextNode.valueOf(HexFormat.of().formatHex(digest));
  }
}
