package org.taskgrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs of {@code job --inputs FILE}: one JSON array of inputs, or JSON Lines (one input per
 * line, or any sequence of JSON values); {@code -} reads stdin.
 */
final class JobInputs {
  private JobInputs() {}

  static ArrayNode read(String file, InputStream stdin) {
    try (Reader reader = open(file, stdin)) {
      return parse(reader, file);
    } catch (NoSuchFileException e) {
      throw new UsageProblem("--inputs: no such file: " + file);
    } catch (IOException e) {
      throw new UsageProblem("--inputs: cannot read " + file + ": " + e.getMessage());
    }
  }

  static ArrayNode parse(Reader reader, String file) throws IOException {
    List<JsonNode> values = new ArrayList<>();
    try (MappingIterator<JsonNode> iterator = Json.MAPPER.readerFor(JsonNode.class).readValues(reader)) {
      while (iterator.hasNextValue()) {
        values.add(iterator.nextValue());
      }
    } catch (JsonProcessingException e) {
      throw new UsageProblem("--inputs: " + file + " is not JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ")");
    } catch (RuntimeException e) {
      // MappingIterator wraps parse errors of hasNextValue in a RuntimeException of its own.
      if (e.getCause() instanceof JsonProcessingException cause) {
        throw new UsageProblem("--inputs: " + file + " is not JSON: " + cause.getOriginalMessage()
            + " (line " + cause.getLocation().getLineNr() + ")");
      }
      throw e;
    }
    if (values.size() == 1 && values.get(0).isArray()) {
      return (ArrayNode) values.get(0);
    }
    if (values.isEmpty()) {
      throw new UsageProblem("--inputs: " + file + " holds no input; give a JSON array, or one input per line");
    }
    if (values.size() == 1) {
      throw new UsageProblem("--inputs: " + file + " holds one input that is not a list; give a JSON array of inputs, or one input per line");
    }
    ArrayNode inputs = Json.MAPPER.createArrayNode();
    values.forEach(inputs::add);
    return inputs;
  }

  private static Reader open(String file, InputStream stdin) throws IOException {
    InputStream in = file.equals("-") ? stdin : Files.newInputStream(Path.of(file));
    return new InputStreamReader(in, StandardCharsets.UTF_8);
  }
}
