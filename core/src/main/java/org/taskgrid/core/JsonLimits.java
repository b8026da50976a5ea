package org.taskgrid.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.typesafe.config.Config;

/**
 * How much one JSON or CBOR document may hold ({@code taskgrid.json}), so that a hostile request
 * body or message cannot make the parser build an unbounded tree or spend unbounded CPU.
 *
 * @param maxNestingDepth arrays and objects inside each other
 * @param maxNumberLength digits of one number
 * @param maxStringLength characters of one string or field name
 * @param maxDocumentLength bytes of one document
 * @param maxTokenCount tokens of one document (each value, each start and end of a container)
 */
public record JsonLimits(
    int maxNestingDepth,
    int maxNumberLength,
    int maxStringLength,
    long maxDocumentLength,
    long maxTokenCount) {

  public static JsonLimits fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.json");
    return new JsonLimits(
        config.getInt("max-nesting-depth"),
        config.getInt("max-number-length"),
        Math.toIntExact(config.getBytes("max-string-length")),
        config.getBytes("max-document-length"),
        config.getLong("max-token-count"));
  }

  public StreamReadConstraints constraints() {
    return StreamReadConstraints.builder()
        .maxNestingDepth(maxNestingDepth)
        .maxNumberLength(maxNumberLength)
        .maxStringLength(maxStringLength)
        .maxNameLength(maxStringLength)
        .maxDocumentLength(maxDocumentLength)
        .maxTokenCount(maxTokenCount)
        .build();
  }

  /** Puts the limits on a factory made elsewhere (the gateway's mapper). */
  public <F extends JsonFactory> F applyTo(F factory) {
    factory.setStreamReadConstraints(constraints());
    return factory;
  }

  /**
   * Makes the limits Jackson's default for every factory made from now on in this JVM: Akka's
   * CBOR mapper (built when the actor system starts, with no hook for constraints in Akka 2.6)
   * and ours alike. Called before the actor system is created.
   */
  public void installAsDefault() {
    StreamReadConstraints.overrideDefaultStreamReadConstraints(constraints());
  }
}
