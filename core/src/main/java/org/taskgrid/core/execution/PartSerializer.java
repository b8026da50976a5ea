package org.taskgrid.core.execution;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORConstants;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.taskgrid.core.JsonLimits;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcomes;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.execution.PartProtocol.RunParts;
import org.taskgrid.core.task.Mode;

/**
 * The wire format of the messages that carry parts and their answers between nodes ({@link
 * RunParts}, {@link PartOutcomes} and the single {@link RunPart}, {@link PartSucceeded}, {@link
 * PartFailed}); bound to them in core's {@code reference.conf}, ahead of the {@code jackson-cbor}
 * binding of every other message. Akka's reflective serializer spent a fifth to a third of a
 * worker's CPU on a job of 10 000 small parts: every record read as a bean with its property
 * names, the same reply address resolved again for every part of a batch, the same task name,
 * node and thread names decoded again for every part.
 *
 * <p>A message is one CBOR stream of top-level values (a CBOR sequence) in a fixed order, without
 * names: each message's {@code write} and {@code read} methods below list them, side by side. Not
 * wrapped in an array, so that an input keeps the whole nesting depth that {@code
 * taskgrid.json.max-nesting-depth} allows it in the gateway's request. Strings that repeat (task,
 * node, thread, mode and failure names, input field names of failures) are written once per
 * message and then by their index in the order they came; reply addresses likewise, and each is
 * resolved once on reading. Inputs and results are written and read as JSON trees in the same
 * stream. The reader keeps the limits of {@code taskgrid.json} and refuses a malformed message
 * with a {@link NotSerializableException} (Akka logs and drops it). The senders bound a message's
 * size with {@link WireSize} before it is written; the format stays within those bounds.
 */
public final class PartSerializer extends SerializerWithStringManifest {

  /**
   * Part of the wire format, never to change. Akka keeps 0 to 40 for its own serializers (Akka
   * 2.6.21's modules use 1 to 36); 7 168 001 is far from both and from the small numbers other
   * libraries pick.
   */
  private static final int IDENTIFIER = 7_168_001;

  // One short manifest per class. The digit is the format's version: a node of another version
  // refuses the message (Akka logs and drops it) rather than misreading it.
  private static final String RUN_PART = "R1";
  private static final String RUN_PARTS = "RS1";
  private static final String PART_SUCCEEDED = "S1";
  private static final String PART_FAILED = "F1";
  private static final String PART_OUTCOMES = "O1";

  /**
   * Stands for a Java null where a JSON tree is expected: CBOR's own "undefined", so that it
   * differs from a tree that is JSON {@code null} (a part's input or result may be either).
   */
  private static final byte ABSENT_TREE = (byte) CBORConstants.SIMPLE_VALUE_UNDEFINED;

  private final ExtendedActorSystem system;
  private final CBORFactory factory;
  private final ObjectMapper trees;
  /** Made on first use: serializers are made as the actor system starts, before its typed view. */
  private volatile ActorRefResolver resolver;

  public PartSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.factory = JsonLimits.fromConfig(system.settings().config()).applyTo(new CBORFactory());
    // Not flushed after each tree: a message is written to memory and taken whole at the end.
    this.trees =
        CBORMapper.builder(factory).disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE).build();
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object message) {
    if (message instanceof RunParts) {
      return RUN_PARTS;
    } else if (message instanceof PartOutcomes) {
      return PART_OUTCOMES;
    } else if (message instanceof RunPart) {
      return RUN_PART;
    } else if (message instanceof PartSucceeded) {
      return PART_SUCCEEDED;
    } else if (message instanceof PartFailed) {
      return PART_FAILED;
    }
    throw new IllegalArgumentException("PartSerializer does not write " + message.getClass());
  }

  @Override
  public byte[] toBinary(Object message) {
    ByteArrayBuilder bytes = new ByteArrayBuilder();
    try (CBORGenerator generator = factory.createGenerator(bytes)) {
      Out out = new Out(generator);
      if (message instanceof RunParts runParts) {
        write(out, runParts);
      } else if (message instanceof PartOutcomes outcomes) {
        write(out, outcomes);
      } else if (message instanceof RunPart run) {
        write(out, run);
      } else if (message instanceof PartSucceeded succeeded) {
        write(out, succeeded);
      } else if (message instanceof PartFailed failed) {
        write(out, failed);
      } else {
        throw new IllegalArgumentException("PartSerializer does not write " + message.getClass());
      }
    } catch (IOException e) {
      // In memory, so only a tree that CBOR cannot hold (a custom node) gets here.
      throw new IllegalArgumentException(
          "cannot write " + message.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    try (CBORParser parser = factory.createParser(bytes)) {
      In in = new In(parser, bytes.length);
      Object message =
          switch (manifest) {
            case RUN_PARTS -> readRunParts(in);
            case PART_OUTCOMES -> readPartOutcomes(in);
            case RUN_PART -> readRunPart(in);
            case PART_SUCCEEDED -> readPartSucceeded(in);
            case PART_FAILED -> readPartFailed(in);
            default -> throw new NotSerializableException(
                "PartSerializer knows no manifest [" + manifest + "]");
          };
      in.end();
      return message;
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Bad CBOR, a limit of taskgrid.json passed, or values a record refuses: all one to Akka.
      NotSerializableException refused =
          new NotSerializableException(
              "a message [" + manifest + "] that PartSerializer cannot read: " + e.getMessage());
      refused.initCause(e);
      throw refused;
    }
  }

  // Each message, written and read value by value in the same order. A constructor's arguments
  // are evaluated left to right (JLS 15.7.4), so the reads in one call follow the writes' order.
  // Mode and Failure go by name, not ordinal: a constant added or moved in a later version cannot
  // be read as another one, and an unknown name is refused. Interned, a name costs its bytes once
  // per message and then one byte per part, about what an ordinal would.

  /** The values of one {@link RunPart}, each at least one byte: bounds a count read. */
  private static final int RUN_PART_VALUES = 8;

  private void write(Out out, RunPart run) throws IOException {
    out.text(run.partId());
    out.interned(run.task());
    out.tree(run.input());
    out.interned(run.mode().name());
    out.number(run.timeoutMillis());
    out.number(run.attempt());
    out.ref(run.replyTo());
    out.flag(run.timeoutFromStart());
  }

  private RunPart readRunPart(In in) throws IOException {
    return new RunPart(
        in.text(),
        in.interned(),
        in.tree(),
        Mode.valueOf(in.interned()),
        in.number(),
        in.integer(),
        in.ref(),
        in.flag());
  }

  private void write(Out out, RunParts runParts) throws IOException {
    out.ref(runParts.replyTo());
    out.number(runParts.parts().size());
    for (RunPart run : runParts.parts()) {
      write(out, run);
    }
  }

  private RunParts readRunParts(In in) throws IOException {
    ActorRef<PartOutcomes> replyTo = in.ref();
    int count = in.count(RUN_PART_VALUES);
    List<RunPart> parts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      parts.add(readRunPart(in));
    }
    return new RunParts(parts, replyTo);
  }

  /** The values of one {@link PartSucceeded}. */
  private static final int PART_SUCCEEDED_VALUES = 6;

  private void write(Out out, PartSucceeded succeeded) throws IOException {
    out.text(succeeded.partId());
    out.number(succeeded.attempt());
    out.interned(succeeded.node());
    out.tree(succeeded.result());
    out.interned(succeeded.thread());
    out.number(succeeded.millis());
  }

  private PartSucceeded readPartSucceeded(In in) throws IOException {
    return new PartSucceeded(
        in.text(), in.integer(), in.interned(), in.tree(), in.interned(), in.number());
  }

  /** The values of one {@link PartFailed}. */
  private static final int PART_FAILED_VALUES = 6;

  private void write(Out out, PartFailed failed) throws IOException {
    out.text(failed.partId());
    out.number(failed.attempt());
    out.interned(failed.node());
    out.interned(failed.failure() == null ? null : failed.failure().name());
    out.text(failed.message());
    out.interned(failed.field());
  }

  private PartFailed readPartFailed(In in) throws IOException {
    String partId = in.text();
    int attempt = in.integer();
    String node = in.interned();
    String failure = in.interned();
    return new PartFailed(
        partId,
        attempt,
        node,
        failure == null ? null : Failure.valueOf(failure),
        in.text(),
        in.interned());
  }

  private void write(Out out, PartOutcomes outcomes) throws IOException {
    out.number(outcomes.succeeded().size());
    for (PartSucceeded succeeded : outcomes.succeeded()) {
      write(out, succeeded);
    }
    out.number(outcomes.failed().size());
    for (PartFailed failed : outcomes.failed()) {
      write(out, failed);
    }
  }

  private PartOutcomes readPartOutcomes(In in) throws IOException {
    int succeededCount = in.count(PART_SUCCEEDED_VALUES);
    List<PartSucceeded> succeeded = new ArrayList<>(succeededCount);
    for (int i = 0; i < succeededCount; i++) {
      succeeded.add(readPartSucceeded(in));
    }
    int failedCount = in.count(PART_FAILED_VALUES);
    List<PartFailed> failed = new ArrayList<>(failedCount);
    for (int i = 0; i < failedCount; i++) {
      failed.add(readPartFailed(in));
    }
    return new PartOutcomes(succeeded, failed);
  }

  private ActorRefResolver resolver() {
    ActorRefResolver known = resolver;
    if (known == null) {
      known = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = known;
    }
    return known;
  }

  /** Writes the values of one message; its tables of strings and addresses live as long as it. */
  private final class Out {
    private final CBORGenerator generator;
    private final Map<String, Integer> strings = new HashMap<>();
    private final Map<ActorRef<?>, Integer> refs = new HashMap<>();

    Out(CBORGenerator generator) {
      this.generator = generator;
    }

    /** A string that seldom repeats: as it is, or null. */
    void text(String text) throws IOException {
      if (text == null) {
        generator.writeNull();
      } else {
        generator.writeString(text);
      }
    }

    /** A string that often repeats: as it is the first time, then by its index; or null. */
    void interned(String text) throws IOException {
      if (text == null) {
        generator.writeNull();
        return;
      }
      Integer index = strings.putIfAbsent(text, strings.size());
      if (index == null) {
        generator.writeString(text);
      } else {
        generator.writeNumber(index);
      }
    }

    /** An actor's address, as text the first time, then by its index. */
    void ref(ActorRef<?> ref) throws IOException {
      Integer index = refs.putIfAbsent(ref, refs.size());
      if (index == null) {
        generator.writeString(resolver().toSerializationFormat(ref));
      } else {
        generator.writeNumber(index);
      }
    }

    void tree(JsonNode node) throws IOException {
      if (node == null) {
        generator.writeRaw(ABSENT_TREE);
      } else {
        trees.writeTree(generator, node);
      }
    }

    void number(long number) throws IOException {
      generator.writeNumber(number);
    }

    void flag(boolean flag) throws IOException {
      generator.writeBoolean(flag);
    }
  }

  /**
   * Reads the values of one message in the order {@link Out} wrote them, and refuses anything
   * else: a value of another type, an index that points nowhere, a count larger than the bytes
   * left could hold, or bytes after the end.
   */
  private final class In {
    private final CBORParser parser;
    private final int length;
    private final List<String> strings = new ArrayList<>();
    private final List<ActorRef<?>> refs = new ArrayList<>();

    In(CBORParser parser, int length) {
      this.parser = parser;
      this.length = length;
    }

    String text() throws IOException {
      JsonToken token = next();
      if (token == JsonToken.VALUE_NULL) {
        return null;
      }
      expect(token == JsonToken.VALUE_STRING, "a string");
      return parser.getText();
    }

    String interned() throws IOException {
      JsonToken token = next();
      if (token == JsonToken.VALUE_NULL) {
        return null;
      } else if (token == JsonToken.VALUE_NUMBER_INT) {
        return strings.get(index(strings.size()));
      }
      expect(token == JsonToken.VALUE_STRING, "a string or the index of one");
      String text = parser.getText();
      strings.add(text);
      return text;
    }

    @SuppressWarnings("unchecked") // the message's type says what the address takes
    <T> ActorRef<T> ref() throws IOException {
      JsonToken token = next();
      if (token == JsonToken.VALUE_NUMBER_INT) {
        return (ActorRef<T>) refs.get(index(refs.size()));
      }
      expect(token == JsonToken.VALUE_STRING, "an actor's address or the index of one");
      ActorRef<T> ref = resolver().resolveActorRef(parser.getText());
      refs.add(ref);
      return ref;
    }

    JsonNode tree() throws IOException {
      JsonToken token = next();
      if (token == JsonToken.VALUE_NULL && parser.isUndefined()) {
        return null;
      }
      return trees.readTree(parser);
    }

    long number() throws IOException {
      expect(next() == JsonToken.VALUE_NUMBER_INT, "an integer");
      return parser.getLongValue();
    }

    int integer() throws IOException {
      expect(next() == JsonToken.VALUE_NUMBER_INT, "an integer");
      return parser.getIntValue();
    }

    boolean flag() throws IOException {
      JsonToken token = next();
      expect(token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE, "a boolean");
      return token == JsonToken.VALUE_TRUE;
    }

    /** How many elements follow, each of at least {@code values} bytes: checked before a list. */
    int count(int values) throws IOException {
      long count = number();
      long left = length - parser.currentLocation().getByteOffset();
      if (count < 0 || count > left / values) {
        throw new NotSerializableException(
            "a count of " + count + " elements where " + left + " bytes are left");
      }
      return (int) count;
    }

    /** Nothing may follow the message. */
    void end() throws IOException {
      if (parser.nextToken() != null) {
        throw new NotSerializableException("bytes after the end of the message");
      }
    }

    private JsonToken next() throws IOException {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new NotSerializableException("the message ends early");
      }
      return token;
    }

    private int index(int size) throws IOException {
      long index = parser.getLongValue();
      if (index < 0 || index >= size) {
        throw new NotSerializableException("an index " + index + " of a table of " + size);
      }
      return (int) index;
    }

    private void expect(boolean found, String what) throws NotSerializableException {
      if (!found) {
        throw new NotSerializableException(
            what + " expected, found " + parser.currentToken() + " at byte "
                + parser.currentTokenLocation().getByteOffset());
      }
    }
  }
}
